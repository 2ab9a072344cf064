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
  std::string query;                    // name, for messages
  std::string sql;                      // one statement with $1…$n
  std::vector<GeneratorSpec> params;    // resolved (no Sample left)
  std::uint64_t seed = 1;
  bool writes = false;                  // BEGIN … ROLLBACK around every execution
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
  std::string plan_kind;                // "custom", "generic", "mixed" or "unknown" (PostgreSQL < 14)
  nlohmann::json explain;               // EXPLAIN (ANALYZE, BUFFERS, SETTINGS, FORMAT JSON) EXECUTE …
  std::vector<std::string> explain_params;
  int warmup = 0;
  double sampling_seconds = 0;          // wall time of the timed executions
};

/// Prepares, warms up, captures the plan of the prepared statement as it is then executed
/// (EXPLAIN ANALYZE EXECUTE, so the plan cache's generic/custom choice shows), and times
/// executions; throws Error(problem) naming the query when an execution fails.
TimedPhase time_query(pg::PgSession& session, const TimingRequest& request,
                      const std::function<void(const TimingProgress&)>& progress);

/// Samples of two statements timed in alternation.
struct AlternatingSamples {
  std::vector<double> first_ms;
  std::vector<double> second_ms;
};

/// Times `first` on `first_session` and `second` on `second_session` in alternation (first,
/// second, second, first, …) after warming both up, until each has its iterations or the two
/// time budgets together are spent: a machine whose speed drifts over seconds then slows or
/// speeds up both alike. Throws like time_query().
AlternatingSamples time_alternating(pg::PgSession& first_session, const TimingRequest& first,
                                    pg::PgSession& second_session, const TimingRequest& second);

}  // namespace preflight::bench
