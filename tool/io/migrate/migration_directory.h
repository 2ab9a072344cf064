#pragma once
// Reads a migrations folder (not recursive, as sqlx) into the pure discovery step.

#include <string>
#include <vector>

#include "core/migrate/migration_set.h"

namespace preflight::migrate {

/// The regular files directly in `dir`, sorted by name; throws Error(input) if `dir` is not a
/// readable folder.
std::vector<SourceFile> read_migration_files(const std::string& dir);

/// read_migration_files + discover_migrations.
MigrationSet load_migrations(const std::string& dir);

}  // namespace preflight::migrate
