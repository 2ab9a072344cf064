#pragma once
// Flyway's versions (api/MigrationVersion.java): numbers separated by '.' or '_', compared part
// by part as integers, a missing part counting as 0. preflight keys migrations on one integer:
// a folder of single-number versions keeps the number; a folder with a dotted version (V1.2__)
// keys each migration on its rank in Flyway's order, and Flyway's own table (which stores the
// version as text) is the only history that can record it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/migrate/migration_set.h"

namespace preflight::migrate {

/// A Flyway version's integer parts without leading zeros and without trailing zero parts
/// (1.0 is 1); nullopt if `text` is not a Flyway version.
std::optional<std::vector<std::string>> flyway_version_parts(std::string_view text);

/// Negative, zero or positive as Flyway orders versions `a` and `b` (both from
/// flyway_version_parts).
int compare_flyway_versions(const std::vector<std::string>& a, const std::vector<std::string>& b);

/// Flyway's order, for ordered containers keyed by flyway_version_parts.
struct FlywayVersionOrder {
  bool operator()(const std::vector<std::string>& a, const std::vector<std::string>& b) const {
    return compare_flyway_versions(a, b) < 0;
  }
};

/// The distance between the keys of consecutive migrations of a dotted Flyway folder: room for
/// the versions a history records that no file has.
inline constexpr std::int64_t k_flyway_rank_step = std::int64_t{1} << 20;

/// True if some migration of `files` has a Flyway version of more than one number: the keys are
/// then ranks, not the versions themselves.
bool flyway_ranked(const MigrationSet& files);

/// Throws Error(input) if `files` are keyed by rank (preflight's _sqlx_migrations records the key
/// itself, which would change when a version is added between two others) or have repeatable
/// migrations (which have no version to record).
void refuse_unkeyable_in_sqlx_history(const MigrationSet& files);

} // namespace preflight::migrate
