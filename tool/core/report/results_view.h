#pragma once
// What the report renderers read out of a results document, computed once so that Markdown,
// HTML and JUnit say the same thing: per-operation latency and improvement, the verdicts of each
// operation, and the environment. (The migration's lock trace is read as it is typed:
// migrate::LockTrace in bench::MigrationStep.)

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/bench/results.h"
#include "core/plan/plan.h"

namespace preflight::report {

struct OperationRow {
  const bench::QueryResult* query = nullptr;
  const bench::PhaseResult* before = nullptr; // nullptr when the phase was not measured
  const bench::PhaseResult* after = nullptr;
  std::optional<stats::Interval> improvement; // median(before) / median(after)
  std::vector<const bench::Verdict*> verdicts;
  bool passed = true;
};

/// One row per query, in the document's order, with its improvement (from the document, else
/// bootstrapped here) and its verdicts.
std::vector<OperationRow> operation_rows(const bench::Results& results);

/// "; before and after timed side by side (…)" for a side-by-side run, else "": how the two
/// phases were measured, for the line under a report's title.
std::string side_by_side_note(const bench::Results& results);
/// "p50 38.9 ms · p95 45.1 ms" (or "not measured").
std::string latency_text(const bench::PhaseResult* phase);
/// The improvement as the deployment checklist writes it: "427× ↓" from 2× up, "20.1 % ↓" below,
/// "25.0 % slower" when after is slower, with the bootstrap interval in parentheses.
std::string improvement_text(const std::optional<stats::Interval>& improvement);
/// True for a verdict that fails the run (an informational claim never does).
bool is_failure(const bench::Verdict& verdict);
/// How many verdicts fail the run.
std::size_t count_failures(const bench::Results& results);
/// "6 of 6 expectations met" or "2 of 6 expectations not met", then, when the suite documents
/// claims, "; 1 of 10 documented claims borne out" (claims are not expectations: never a failure).
std::string outcome_counts(const bench::Results& results);
/// "pass", "FAIL", or for an informational claim "borne out" / "not borne out" / "inconclusive".
std::string verdict_status(const bench::Verdict& verdict);
/// "pass", or "FAIL: " and the names of the failed expectations, with informational claims that
/// were not borne out named after "; not borne out: "; "—" without expectations.
std::string verdict_text(const OperationRow& row);
/// "plan index_backed focus_sessions (after)": a verdict's kind, name and phase.
std::string verdict_label(const bench::Verdict& verdict);

/// Label/value rows describing where the numbers were measured.
std::vector<std::pair<std::string, std::string>>
environment_rows(const bench::Environment& environment);

/// What EXPLAIN ANALYZE measured for a node: "38.2 ms, 2 rows, 1 loop" ("" without ANALYZE).
std::string node_actuals(const plan::PlanNode& node);

} // namespace preflight::report
