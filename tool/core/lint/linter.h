#pragma once
// Lints migrations for lock hazards and breaking changes, from their SQL parsed by PostgreSQL's
// own parser (libpg_query). Pure: migrations in, findings out.

#include <cstdint>
#include <optional>
#include <vector>

#include "core/lint/lint_config.h"
#include "core/lint/rules.h"
#include "core/migrate/migration_set.h"

namespace preflight::lint {

/// One migration to lint: its up (or simple) script and, if reversible, its down script.
struct LintMigration {
  std::int64_t version = 0;
  migrate::Script up;
  std::optional<migrate::Script> down;
};

/// The migrations of a discovered set, in version order, then its repeatable ones.
std::vector<LintMigration> lint_migrations_of(const migrate::MigrationSet& set);

/// Lints `migrations` in order (what earlier ones create counts as existing for later ones);
/// returns the findings that remain after suppression comments and the configured levels, in
/// file order. Throws Error(input) at file:line:col for SQL that does not parse and for unknown
/// rule ids in suppression comments.
std::vector<Finding> lint_migrations(const std::vector<LintMigration>& migrations,
                                     const LintConfig& config);

/// True if any finding has level error.
bool has_errors(const std::vector<Finding>& findings);

} // namespace preflight::lint
