#pragma once
// The CI gate: compares a current results document with a stored baseline, query by query and
// phase by phase, and decides statistically whether a slowdown is real (Mann-Whitney U and a
// minimum effect on the ratio of medians), whether a plan changed, and whether the two were
// measured in comparable environments.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/bench/results.h"
#include "core/stats/stats.h"

namespace preflight::bench {

struct CompareOptions {
  double alpha = 0.01;              // significance level of the rank test
  double default_min_effect = 0.10; // used when a query has no `min_effect` of its own
  std::optional<double> min_effect; // --min-effect: overrides every query's own
  bool allow_plan_change = false;   // an index scan that became a Seq Scan only warns
  int bootstrap_resamples = 2000;
  std::uint64_t seed = 1; // bootstrap seed: the same inputs give the same report
};

enum class Change { no_change, regression, improvement };

/// "regression", "improvement" or "no change".
std::string to_string(Change change);

/// One query and phase measured in both documents.
struct PhaseComparison {
  std::string query;
  std::string phase;
  stats::Summary baseline;
  stats::Summary current;
  stats::Interval ratio; // median(current) / median(baseline), with its confidence interval
  double confidence = 0; // of `ratio`'s interval (1 - alpha)
  double p_value = 1;    // two-sided Mann-Whitney U
  double min_effect = 0; // the threshold that applied
  Change change = Change::no_change;
  std::string confirmation; // after --confirm: "held in 3 of 3 re-runs", "not confirmed: …"
};

enum class Severity { error, warning, notice };

/// "error", "warning" or "notice".
std::string to_string(Severity severity);

/// Something the gate reports besides the table: a regression, a plan change, an environment
/// difference, a query missing on one side.
struct Finding {
  Severity severity = Severity::warning;
  std::string kind;  // "regression", "improvement", "plan", "environment", "setup", "missing"
  std::string query; // "" for environment findings
  std::string phase;
  std::string message; // one sentence a user reads, without the query prefix
};

struct Comparison {
  std::vector<PhaseComparison> rows;
  std::vector<Finding> findings; // in the order: environment, setup, missing,
                                 // regression/improvement, plan

  /// True when a finding is an error (a regression or a plan change that fails): exit 1.
  bool failed() const;
};

/// Differences between where the baseline and the current results were measured: server major
/// version, recorded planner/durability settings, durability, host name and CPU count.
std::vector<std::string> environment_differences(const Environment& baseline,
                                                 const Environment& current);

/// Differences in what was run: the suite (its name, and its file name without the folder it
/// was run from), scale, seed and mode (side by side or one phase after the other).
std::vector<std::string> setup_differences(const Results& baseline, const Results& current);

/// Whether a baseline and the current results were measured alike, and what that means.
struct EnvironmentCheck {
  std::vector<std::string> differences; // environment_differences, then setup_differences
  bool fatal = false;                   // strict and something differs: nothing may be compared
};

/// Every difference between where and how `baseline` and `current` were measured; fatal when
/// `strict` (--strict-env) and there is any, else they only warn.
EnvironmentCheck check_environment(const Results& baseline, const Results& current, bool strict);

/// Compares `current` with `baseline`. Throws Error(input) when a stored EXPLAIN cannot be read.
Comparison compare_results(const Results& baseline, const Results& current,
                           const CompareOptions& options);

/// Fresh latency samples (ms) of one query's phase on both sides, measured in the same minutes.
struct Remeasured {
  std::vector<double> baseline;
  std::vector<double> current;
  std::string apart; // why the two sides did not share one CPU; "" when they did
};

/// Re-measures one query's phase, baseline and current side by side: injected by the CLI, which
/// owns the databases; a fake in tests.
using Remeasure = std::function<Remeasured(const std::string& query, const std::string& phase)>;

/// Which rows confirm_regressions() re-measures.
enum class ConfirmScope {
  regressions, // only the rows the stored samples call a regression: drift cannot invent one
  all_rows,    // every row: drift can neither invent a regression nor hide one
};

/// Decides whether a regression is real on a machine whose speed drifts between runs: each row
/// in `scope` is re-measured `runs` times (both sides, interleaved) and the fresh pair is judged
/// by the same rule; a row is a regression after this only if it is one in a strict majority of
/// the re-runs (a regression that is not becomes a warning; with all_rows, a row that is becomes
/// an error even if the stored samples did not show it). Rows and findings are updated in place.
void confirm_regressions(Comparison& comparison, const Remeasure& remeasure, int runs,
                         const CompareOptions& options,
                         ConfirmScope scope = ConfirmScope::regressions);

} // namespace preflight::bench
