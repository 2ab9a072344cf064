#pragma once
// The benchmark results document (results.json): what `bench run` writes and `bench compare`
// and `report` read. Schema version 1, documented in docs/results-schema.md.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/bench/load.h"
#include "core/migrate/lock_trace.h"
#include "core/stats/stats.h"

namespace preflight::bench {

inline constexpr int k_results_schema_version = 1;

/// Where the numbers were measured; baselines from a different environment are not comparable.
struct Environment {
  std::string server_version;                  // "15.18"
  int server_version_num = 0;                  // 150018
  std::map<std::string, std::string> settings; // planner/durability settings that matter
  std::string host_name;
  int cpus = 0;
  std::string os; // uname -sr
  bool throwaway_cluster = false;
  bool durable = true; // fsync and synchronous_commit on
  std::string preflight_version;
  std::string started_at; // UTC, ISO 8601
  std::optional<bool>
      cpu_wakeup_held;         // 0 µs CPU wake-up latency held while timing; unset: not recorded
  std::string cpu_wakeup_note; // why it was not held
};

struct PhaseResult {
  std::string phase;              // "before" or "after"
  std::string sql;                // the statement timed in this phase
  std::vector<double> samples_ms; // client-side latency of each timed execution
  stats::Summary summary;         // of samples_ms
  std::string plan_kind;          // "custom" or "generic" (plan cache decision when timed)
  nlohmann::json explain;         // raw EXPLAIN (ANALYZE, BUFFERS, SETTINGS, FORMAT JSON) output
  std::vector<std::string> explain_params; // parameters the EXPLAIN ran with
  std::int64_t warmup_executions = 0;
  double sampling_seconds = 0; // wall time of the timed loop (executions/s = count / this)
};

struct QueryResult {
  std::string name;    // "Get Active Session"
  std::string claim;   // documented claim, e.g. "50-100ms → 2-5ms"
  bool writes = false; // executions were rolled back
  std::vector<PhaseResult> phases;
  std::optional<stats::Interval> improvement; // median(before) / median(after), bootstrap CI
  std::optional<double> min_effect; // per-query regression threshold for compare (0.10 = 10 %)

  /// The phase named `phase`, or nullptr.
  const PhaseResult* find_phase(const std::string& phase) const;
};

/// One expectation's outcome: plan, latency, improvement, or a documented claim checked.
struct Verdict {
  std::string query;
  std::string phase; // "before", "after", or "" for before/after expectations
  std::string kind;  // "plan", "latency", "improvement", "claim"
  std::string name;  // "index_backed focus_sessions", "p95", "improvement", …
  bool passed = false;
  std::string expected;       // the limit, as text
  std::string actual;         // the measured value, as text
  bool informational = false; // reported, never fails the run (documented claims)
};

/// The migration applied between the phases.
struct MigrationStep {
  std::int64_t version = 0;
  std::string description;
  std::string checksum; // hex SHA-384
  std::int64_t duration_ns = 0;
  // The locks each statement took; nullopt when the run traced none (written as []).
  std::optional<migrate::LockTrace> lock_trace;
};

struct Results {
  int schema_version = k_results_schema_version;
  std::string suite_name;
  std::string suite_file;
  double scale = 1;
  std::uint64_t seed = 0;
  // Before and after timed in alternation, in two databases with the same data.
  bool side_by_side = false;
  // Side by side: whether every query's two server processes shared one CPU with preflight
  // (SharedCpu); unset when not side by side or not recorded.
  std::optional<bool> side_by_side_one_cpu;
  std::string side_by_side_one_cpu_note; // why not, for the first query that could not
  Environment environment;
  std::optional<MigrationStep> migration;
  std::vector<QueryResult> queries;
  std::vector<Verdict> verdicts;
  // `bench load`: the traffic measured while the migration ran (queries then have no phases).
  std::optional<LoadRun> load;

  /// The query named `name`, or nullptr.
  const QueryResult* find_query(const std::string& name) const;
  /// True when every verdict that is not informational passed.
  bool passed() const;
};

nlohmann::json to_json(const Results& results);
/// Reads a results document; throws Error(input) naming the JSON path of a missing or mistyped
/// field, or an unsupported schema_version.
Results results_from_json(const nlohmann::json& document);

} // namespace preflight::bench
