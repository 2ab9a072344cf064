// The Markdown report: what a PR comment or the deployment report shows.

#include <fmt/format.h>

#include "core/error.h"
#include "core/plan/plan.h"
#include "core/report/check_report.h"
#include "core/report/load_report.h"
#include "core/report/report.h"
#include "core/report/results_view.h"
#include "core/text/text.h"

namespace preflight::report {

using text::format_duration_ns;
using text::format_ms;
using text::markdown_cell;
using text::one_line;

namespace {

std::string result_line(const bench::Results& results) {
  return fmt::format("**Result: {}** — {}.", results.passed() ? "PASS" : "FAIL",
                     outcome_counts(results));
}

std::string plan_markdown(const bench::PhaseResult& phase) {
  std::string heading = fmt::format(
      "*{}*{}:\n\n", phase.phase, phase.plan_kind.empty() ? "" : " (" + phase.plan_kind + " plan)");
  if (phase.explain.is_null()) return heading + "no plan recorded\n\n";
  plan::Plan p;
  try {
    p = plan::parse_explain(phase.explain);
  } catch (const Error& e) {
    return heading + "plan not readable: " + markdown_cell(e.message()) + "\n\n";
  }
  std::string out = heading;
  p.walk([&](const plan::PlanNode& node, int depth) {
    std::string mark;
    if (node.is_index_access() || node.node_type == "Bitmap Index Scan") mark = " — **index**";
    if (node.is_seq_scan()) mark = " — **sequential scan**";
    std::string actual;
    if (node.has_actuals) {
      actual = " (" + node_actuals(node) + ")";
    }
    out += fmt::format("{}- {}{}{}\n", std::string(static_cast<std::size_t>(depth) * 2, ' '),
                       markdown_cell(node.label()), actual, mark);
  });
  if (p.analyzed)
    out += fmt::format("\nExecution {} ms, planning {} ms.\n", format_ms(p.execution_ms),
                       format_ms(p.planning_ms));
  return out + "\n";
}

std::string migration_markdown(const bench::MigrationStep& m) {
  std::string out = "## Migration applied\n\n";
  out += fmt::format("Version {} — {}, applied in {}.  \nChecksum (SHA-384): `{}`\n\n", m.version,
                     markdown_cell(m.description), format_duration_ns(m.duration_ns),
                     markdown_cell(m.checksum));
  if (!m.lock_trace || m.lock_trace->statements.empty()) {
    return out + "No lock trace recorded.\n\n";
  }
  const auto& trace = m.lock_trace->statements;
  out += "| # | Line | Statement | Duration | Locks taken | Blocks |\n| ---: | ---: | --- | ---: | "
         "--- | --- |\n";
  std::size_t n = 0;
  for (const auto& s : trace) {
    std::string locks;
    std::string blocks;
    for (const auto& l : s.locks) {
      locks += (locks.empty() ? "" : "; ") + migrate::lock_mode_name(l.mode) + " on " + l.relation;
      blocks += (blocks.empty() ? "" : "; ") + l.relation + ": " + migrate::blocks_text(l);
    }
    out += fmt::format("| {} | {} | {} | {} | {} | {} |\n", ++n, s.line,
                       markdown_cell(one_line(s.text)), format_duration_ns(s.duration_ns),
                       markdown_cell(locks.empty() ? "none" : locks),
                       markdown_cell(blocks.empty() ? "nothing" : blocks));
  }
  return out + "\nLocks are held until the migration's transaction ends.\n\n";
}

} // namespace

std::string render_markdown(const bench::Results& results, const check::CheckReport* checks) {
  std::string out = fmt::format("# Performance report: {}\n\n", markdown_cell(results.suite_name));
  out += result_line(results) + "\n\n";
  const auto& e = results.environment;
  out += fmt::format(
      "Suite `{}`, scale {:g}, seed {}; PostgreSQL {}{}{}.\n\n", markdown_cell(results.suite_file),
      results.scale, results.seed, markdown_cell(e.server_version),
      e.throwaway_cluster && !e.durable ? " on a throwaway cluster without fsync" : "",
      side_by_side_note(results));

  auto rows = operation_rows(results);
  // A `bench load` document has no before/after phases: its own section takes their place.
  const bool before_after = !results.queries.empty();
  out += load_markdown(results);
  if (before_after) {
    out += "## Latency before and after the migration\n\n";
    out +=
        "| Operation | Before | After | Improvement | Claim | Verdict |\n| --- | --- | --- | --- "
        "| --- | --- |\n";
    for (const auto& row : rows) {
      out += fmt::format("| {} | {} | {} | {} | {} | {} |\n", markdown_cell(row.query->name),
                         latency_text(row.before), latency_text(row.after),
                         improvement_text(row.improvement),
                         markdown_cell(row.query->claim.empty() ? "—" : row.query->claim),
                         markdown_cell(verdict_text(row)));
    }
    out += "\nClient-side latency of each timed execution; improvement = median before / median "
           "after.\n\n";
  }

  if (!results.verdicts.empty()) {
    out += "## Expectations\n\n| Operation | Expectation | Limit | Measured | Verdict |\n| --- | "
           "--- | --- | --- | --- |\n";
    for (const auto& v : results.verdicts) {
      out += fmt::format("| {} | {} | {} | {} | {} |\n", markdown_cell(v.query),
                         markdown_cell(verdict_label(v)), markdown_cell(v.expected),
                         markdown_cell(v.actual), is_failure(v) ? "**FAIL**" : verdict_status(v));
    }
    out += "\n";
  }

  if (before_after) {
    out += "## Plans\n\n";
    for (const auto& q : results.queries) {
      out += fmt::format("### {}\n\n", markdown_cell(q.name));
      for (const auto& phase : q.phases) out += plan_markdown(phase);
    }
  }

  if (results.migration) out += migration_markdown(*results.migration);
  // check::render_markdown opens with its own "### preflight check" heading.
  if (checks) out += "## Post-deploy checks\n\n" + check::render_markdown(*checks) + "\n";

  out += "## Environment\n\n| | |\n| --- | --- |\n";
  for (const auto& [label, value] : environment_rows(e)) {
    out += fmt::format("| {} | {} |\n", label, markdown_cell(value));
  }
  return out;
}

} // namespace preflight::report
