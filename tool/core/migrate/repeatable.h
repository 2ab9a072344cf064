#pragma once
// Flyway's repeatable migrations (R__<description>.sql): no version; each `migrate up` runs them
// after the versioned migrations, in the order of their descriptions, when the file's checksum
// differs from the one its latest run recorded in flyway_schema_history (a row with a NULL
// version). Followed: MigrationInfoServiceImpl.java (getPendingResolvedRepeatableMigrations,
// getLatestRepeatableRuns, markRepeatableAsDeleted) and DbMigrate.java ("contains a failed
// repeatable migration"), at the commit named in docs/layouts/flyway.md.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/migrate/migration_set.h"
#include "core/migrate/native_history.h"

namespace preflight::migrate {

/// The latest run of one repeatable migration, as Flyway's table records it.
struct RepeatableRun {
  std::string description;
  std::optional<std::int32_t> checksum;
  bool success = true;
  std::string installed_on;
  std::int64_t execution_time_ns = 0;
};

/// The latest run of each description among `rows` (in installed_rank order): rows with a NULL
/// version; a successful DELETE row forgets the runs of its description before it.
std::vector<RepeatableRun> flyway_repeatable_runs(const std::vector<NativeRow>& rows);

enum class RepeatableState {
  applied,      // its latest run recorded the file's checksum
  pending,      // never run
  outdated,     // the file changed since its latest run: up runs it again
  failed,       // its latest run failed
  missing_file, // run, but its file is gone
};

/// Stable lower-case name of a state, as used in JSON output.
std::string to_string(RepeatableState state);

struct RepeatableEntry {
  std::string description;
  RepeatableState state = RepeatableState::pending;
  const Migration* migration = nullptr; // null when the file is gone
  std::optional<RepeatableRun> run;     // null when never run
};

/// One entry per description in the files or the runs, in the order of the descriptions.
std::vector<RepeatableEntry> repeatable_status(const MigrationSet& files,
                                               const std::vector<RepeatableRun>& runs);

/// Failed runs and runs whose file is gone, as Error(history) values (Flyway's validate refuses
/// both before migrating).
std::vector<Error> repeatable_problems(const std::vector<RepeatableEntry>& status);

/// How many entries are in `state`.
std::size_t count_in(const std::vector<RepeatableEntry>& status, RepeatableState state);

/// The repeatables `migrate up` runs after the versioned migrations: pending and outdated ones,
/// by description. Throws Error(history) for the problems above.
std::vector<const Migration*> plan_repeatables(const std::vector<RepeatableEntry>& status);

} // namespace preflight::migrate
