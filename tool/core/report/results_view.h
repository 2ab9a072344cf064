#pragma once
// What the report renderers read out of a results document, computed once so that Markdown,
// HTML and JUnit say the same thing: per-operation latency and improvement, the verdicts of each
// operation, the migration's lock trace with what each lock blocks, and the environment.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/bench/results.h"
#include "core/plan/plan.h"

namespace preflight::report {

/// A lock mode in PostgreSQL's documentation spelling: "AccessExclusiveLock" → "ACCESS EXCLUSIVE".
std::string lock_mode_name(const std::string& mode);
/// What other sessions a table lock of `mode` keeps waiting, from PostgreSQL's lock conflict
/// table: "reads and writes", "writes", "other DDL and VACUUM" or "no reads or writes".
std::string lock_blocks(const std::string& mode);
/// 4 for ACCESS EXCLUSIVE, 3 for EXCLUSIVE / SHARE ROW EXCLUSIVE / SHARE, 2 for SHARE UPDATE
/// EXCLUSIVE, 1 for weaker modes: how much of a live table's traffic it stops.
int lock_severity(const std::string& mode);

struct TracedLock {
  std::string relation;
  std::string mode;   // PostgreSQL's documentation spelling
  std::string blocks; // from the trace when recorded, else derived from the mode
};

struct TracedStatement {
  std::int64_t version = 0;
  std::string statement;
  std::int64_t line = 0;
  std::int64_t duration_ns = 0;
  std::vector<TracedLock> locks;
};

/// The migration's lock trace as the lock tracer writes it ({statements: [{version, statement,
/// line, duration_ns, locks: [{relation, mode, blocks?}]}]}, or that array alone); absent
/// fields read as empty or 0.
std::vector<TracedStatement> read_lock_trace(const nlohmann::json& document);

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
