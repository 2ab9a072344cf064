#pragma once
// The timing loop: one prepared statement executed with generated parameters through libpq
// directly (PQexecPrepared; nothing between the two clock reads but the round trip), after a
// warm-up, until an iteration count or a time budget is reached.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/bench/generators.h"
#include "io/pg/pg_session.h"

namespace preflight::bench {

struct TimingRequest {
  std::string query;                 // name, for messages
  std::string sql;                   // one statement with $1…$n
  std::vector<GeneratorSpec> params; // resolved (no Sample left)
  std::uint64_t seed = 1;
  bool writes = false; // BEGIN … ROLLBACK around every execution
  int warmup = 10;
  int iterations = 1000;
  double time_budget_s = 10;
};

struct TimingProgress {
  int samples = 0;
  int target = 0;
  double elapsed_s = 0;
  double eta_s = 0;
};

struct TimedPhase {
  std::vector<double> samples_ms;
  std::string plan_kind;  // "custom", "generic", "mixed" or "unknown" (PostgreSQL < 14)
  nlohmann::json explain; // EXPLAIN (ANALYZE, BUFFERS, SETTINGS, FORMAT JSON) EXECUTE …
  std::vector<std::string> explain_params;
  int warmup = 0;
  double sampling_seconds = 0; // wall time of the timed executions
};

/// Prepares, warms up, captures the plan of the prepared statement as it is then executed
/// (EXPLAIN ANALYZE EXECUTE, so the plan cache's generic/custom choice shows), and times
/// executions; throws Error(problem) naming the query when an execution fails.
TimedPhase time_query(pg::PgSession& session, const TimingRequest& request,
                      const std::function<void(const TimingProgress&)>& progress);

/// Two phases timed side by side.
struct SideBySide {
  TimedPhase first;
  TimedPhase second;
  bool on_one_cpu = false;  // this thread and both server processes shared one CPU (SharedCpu)
  std::string one_cpu_note; // why they did not
};

/// Like time_query() for two statements at once, `first` on `first_session` and `second` on
/// `second_session` (e.g. the same query before and after a migration, in two databases with the
/// same data): both are warmed up and explained, then executed in alternation (first, second,
/// second, first, …) until each has its iterations or the two time budgets together are spent.
/// A machine whose speed drifts over seconds then slows or speeds up both alike; where it can,
/// it runs this thread and both server processes on one CPU (SharedCpu), so a difference between
/// CPUs does not either. Each phase's sampling_seconds is the wall time of the whole alternating
/// loop.
SideBySide time_side_by_side(pg::PgSession& first_session, const TimingRequest& first,
                             pg::PgSession& second_session, const TimingRequest& second,
                             const std::function<void(const TimingProgress&)>& progress);

} // namespace preflight::bench
