#pragma once
// Running a suite from the CLI (shared by `bench run` and `demo`): progress, the summary table,
// the results files.

#include <optional>
#include <string>
#include <vector>

#include "core/bench/results.h"
#include "core/bench/suite.h"
#include "core/config/config.h"
#include "io/bench/cpu_wakeup.h"
#include "io/pg/pg_session.h"

namespace preflight::cli {

struct BenchOptions {
  std::string suite;
  std::string out = "reports/results.json";
  std::string format = "json";           // "json", or "gbench" to also write Google Benchmark JSON
  std::optional<std::string> gbench_out; // default: <out without .json>.gbench.json
  std::optional<double> scale;
  std::optional<int> iterations;
  std::optional<double> time_budget_s;
  bool allow_dataset = false;
  bool allow_writes = false;
  bool side_by_side = false;    // the after phase in a scratch database, timed in alternation
  bool allow_cpu_sleep = false; // make no 0 µs CPU wake-up latency request while timing
};

/// Runs `suite` (loaded before connecting, so a bad suite starts nothing) on `session`, printing
/// progress and the summary table, and writes the results (and gbench) files; returns the
/// results (the caller decides the exit code).
bench::Results run_suite(bench::Suite suite, pg::PgSession& session, bool throwaway_cluster,
                         const BenchOptions& options, const config::Config& config,
                         const std::string& history_table);

/// The CPU wake-up latency request a timing command holds while it runs: none with
/// `allow_sleep`; when it cannot be held, one progress line says why (`prefix` starts it).
bench::CpuWakeupRequest request_cpu_wakeup(bool allow_sleep, const std::string& prefix,
                                           bool terminal);

/// The summary table (operation, before/after p50/p95, ratio with CI, claim, verdict) and the
/// claim and failure lines under it.
std::vector<std::string> results_table(const bench::Results& results);

/// One table of several targets' results: per operation and target, the before → after p50 and
/// the ratio (`bench run --targets`).
std::vector<std::string>
side_by_side_table(const std::vector<std::pair<std::string, bench::Results>>& results);

/// Error(problem) naming every failed expectation, or nullopt when all passed.
std::optional<Error> failed_expectations(const bench::Results& results);

} // namespace preflight::cli
