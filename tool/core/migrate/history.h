#pragma once
// The applied-migration history as recorded in the database (sqlx's _sqlx_migrations rows),
// compared with the files: status, problems, and what `up` / `down` would run.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/migrate/migration_set.h"

namespace preflight::migrate {

/// What a history row's checksum is: sqlx's SHA-384 of the file, Flyway's CRC-32 of its lines
/// (Script::native_checksum), or nothing (golang-migrate, goose, dbmate and diesel record none).
enum class RecordedChecksum { sha384, flyway, none };

struct AppliedMigration {
  std::int64_t version = 0;
  std::string description;
  std::string installed_on; // as the server printed it (ISO 8601)
  bool success = true;
  Checksum checksum;
  std::int64_t execution_time_ns = 0; // -1 while sqlx has not updated it
  bool duration_recorded = true;      // false where the tool keeps no execution time
  RecordedChecksum recorded = RecordedChecksum::sha384;
  /// The version as the history's tool recorded it, when that is not `version` in decimal.
  std::string version_text{};
};

/// The checksum a row records, as its tool shows it (hex for sqlx, a signed integer for Flyway).
std::string recorded_checksum_text(const AppliedMigration& row);

/// The checksum of `migration` that `row`'s kind records, as its tool shows it; empty for none.
std::string file_checksum_text(const AppliedMigration& row, const Migration& migration);

enum class MigrationState {
  applied,
  pending,
  pending_out_of_order, // pending but older than the newest applied migration
  missing_file,         // applied, but its file is gone
  checksum_mismatch,    // applied, but the file changed since (only where a checksum is recorded)
  failed,               // recorded with success = false
};

/// Stable lower-case name of a state, as used in JSON output.
std::string to_string(MigrationState state);

struct StatusEntry {
  std::int64_t version = 0;
  std::string version_text; // as the tool writes it; empty when it is `version` in decimal
  std::string description;
  MigrationState state = MigrationState::pending;
  const Migration* migration = nullptr;    // null when the file is missing
  std::optional<AppliedMigration> applied; // null when pending

  /// The version as its tool shows it.
  std::string shown_version() const { return migrate::shown_version(version, version_text); }
};

/// One entry per version found in the files or the history, ascending by version.
std::vector<StatusEntry> compute_status(const MigrationSet& files,
                                        std::vector<AppliedMigration> history);

/// Every mismatch between history and files (missing file, checksum mismatch, failed row),
/// as Error(history) values with hints; empty when history and files agree.
std::vector<Error> history_problems(const std::vector<StatusEntry>& status);

struct UpOptions {
  std::optional<std::int64_t> target; // apply up to and including this version
  bool allow_out_of_order = false;
};

/// The migrations `migrate up` applies, in order. Throws Error(history) when the history does
/// not match the files (nothing may run then) or an out-of-order migration is pending, and
/// Error(usage) for a target that is not a known version.
std::vector<const Migration*> plan_up(const MigrationSet& files,
                                      const std::vector<AppliedMigration>& history,
                                      const UpOptions& options);

struct DownOptions {
  std::optional<std::int64_t> steps;  // default 1
  std::optional<std::int64_t> target; // revert everything newer than this version (0 = all)
};

/// The migrations `migrate down` reverts, newest first. Throws Error(input) when one of them
/// has no down script (never skips it), Error(history) when the history does not match.
std::vector<const Migration*> plan_down(const MigrationSet& files,
                                        const std::vector<AppliedMigration>& history,
                                        const DownOptions& options);

} // namespace preflight::migrate
