#pragma once
// `bench load` as a list of steps: the database set up as `bench run` sets it up (migrated to
// `before`, dataset, ANALYZE), traffic started on its own connections, the migration under test
// applied through the migrator while the traffic runs, traffic kept for a while, then the
// measurements summarised into the results document.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "core/bench/results.h"
#include "core/bench/suite.h"
#include "io/bench/runner.h"
#include "io/migrate/migrator.h"
#include "io/pg/pg_session.h"

namespace preflight::bench {

struct LoadOptions {
  int clients = 8;
  double rate = 200;   // executions per second, all operations together
  double before_s = 5; // traffic before the migration starts
  double after_s = 5;  // traffic after it ends
  std::int64_t max_operations = 1'000'000;
  double max_duration_s = 600;       // the whole traffic, migration included
  RunOptions run;                    // scale, refusals, history table (as `bench run`)
  migrate::MigratorOptions migrator; // lock_timeout, statement_timeout (as `migrate up`)
  const std::atomic<bool>* interrupted = nullptr; // set by a signal handler: stop, keep results
};

/// Checks `options` against `suite` before anything connects: at least one connection per
/// operation, positive rate and durations; throws Error(usage).
void check_load_options(const Suite& suite, const LoadOptions& options);

/// Runs the load test; throws Error(usage) for a refused dataset or writes query (before
/// anything changes), Error(problem) when setting up fails. A migration that fails or is
/// cancelled does not throw: the results say so (LoadRun::migration_outcome).
Results run_load(pg::PgSession& session, const Suite& suite, const LoadOptions& options,
                 const std::function<void(const RunProgress&)>& progress);

} // namespace preflight::bench
