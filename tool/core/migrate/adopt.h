#pragma once
// `migrate adopt`: converts another tool's history (read into StatusEntry values) into rows of
// preflight's _sqlx_migrations, with the checksums of the current files, and says what cannot be
// converted as it is.

#include <string>
#include <vector>

#include "core/migrate/history.h"

namespace preflight::migrate {

enum class AdoptOutcome {
  matched, // applied there, its file here: recorded as applied
  missing, // applied there, no file here: not recorded (no checksum to record)
  failed,  // a dirty golang-migrate version, a failed Flyway row: recorded as failed with --force
  edited,  // Flyway's checksum differs from the file: recorded with the file's with --force
  not_applied // a file the tool's history does not list: left pending
};

struct AdoptEntry {
  AdoptOutcome outcome = AdoptOutcome::matched;
  const StatusEntry* status = nullptr;
  bool recorded = false; // a row is written for it
  bool success = true;   // the row's success flag
};

struct AdoptPlan {
  std::vector<AdoptEntry> entries; // ascending by version
  /// Entries that stop adopt without --force (missing, failed, edited).
  std::size_t blocking = 0;
};

/// The plan for `status` (the tool's history against the files); `force` records failed and
/// edited entries (failed as failed rows) and leaves missing ones out instead of stopping.
AdoptPlan plan_adopt(const std::vector<StatusEntry>& status, bool force);

/// One line for users, e.g. "matched       3  add index (recorded)".
std::string describe(const AdoptEntry& entry);

} // namespace preflight::migrate
