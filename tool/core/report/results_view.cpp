#include "core/report/results_view.h"

#include <cctype>

#include <fmt/format.h>

#include "core/text/text.h"

namespace preflight::report {

using text::format_ms;

std::string side_by_side_note(const bench::Results& results) {
  if (!results.side_by_side) return "";
  std::string cpu;
  if (results.side_by_side_one_cpu) {
    cpu = *results.side_by_side_one_cpu ? ", both on one CPU"
                                        : "; not on one CPU: " + results.side_by_side_one_cpu_note;
  }
  return "; before and after timed side by side (two databases with the same data, executions "
         "alternating" +
         cpu + ")";
}

std::vector<OperationRow> operation_rows(const bench::Results& results) {
  std::vector<OperationRow> rows;
  for (const auto& q : results.queries) {
    OperationRow row;
    row.query = &q;
    row.before = q.find_phase("before");
    row.after = q.find_phase("after");
    row.improvement = q.improvement;
    if (!row.improvement && row.before && row.after && !row.before->samples_ms.empty() &&
        !row.after->samples_ms.empty()) {
      row.improvement =
          stats::bootstrap_ratio_of_medians(row.before->samples_ms, row.after->samples_ms);
    }
    for (const auto& v : results.verdicts) {
      if (v.query != q.name) continue;
      row.verdicts.push_back(&v);
      row.passed = row.passed && !is_failure(v);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string latency_text(const bench::PhaseResult* phase) {
  if (!phase || phase->summary.count == 0) return "not measured";
  return fmt::format("p50 {} ms · p95 {} ms", format_ms(phase->summary.p50),
                     format_ms(phase->summary.p95));
}

namespace {

std::string times(double ratio) {
  if (ratio >= 100) return fmt::format("{:.0f}×", ratio);
  if (ratio >= 10) return fmt::format("{:.1f}×", ratio);
  return fmt::format("{:.2f}×", ratio);
}

} // namespace

std::string improvement_text(const std::optional<stats::Interval>& improvement) {
  if (!improvement || improvement->estimate <= 0) return "—";
  const double r = improvement->estimate;
  std::string head;
  if (r >= 2) {
    head = times(r) + " ↓";
  } else if (r >= 1) {
    head = fmt::format("{:.1f} % ↓", (1 - 1 / r) * 100);
  } else {
    head = fmt::format("{:.1f} % slower", (1 / r - 1) * 100);
  }
  return fmt::format("{} (95 % CI {}–{})", head, times(improvement->low), times(improvement->high));
}

std::string verdict_label(const bench::Verdict& verdict) {
  std::string label = verdict.kind == verdict.name || verdict.name.rfind(verdict.kind, 0) == 0
                          ? verdict.name
                          : verdict.kind + " " + verdict.name;
  if (!verdict.phase.empty()) label += " (" + verdict.phase + ")";
  return label;
}

bool is_failure(const bench::Verdict& verdict) {
  return !verdict.passed && !verdict.informational;
}

std::size_t count_failures(const bench::Results& results) {
  std::size_t failed = 0;
  for (const auto& v : results.verdicts) failed += is_failure(v) ? 1U : 0U;
  return failed;
}

std::string outcome_counts(const bench::Results& results) {
  std::size_t expectations = 0;
  std::size_t claims = 0;
  std::size_t borne_out = 0;
  for (const auto& v : results.verdicts) {
    if (v.informational) {
      ++claims;
      borne_out += v.passed ? 1U : 0U;
    } else {
      ++expectations;
    }
  }
  const std::size_t failed = count_failures(results);
  std::string text = failed == 0
                         ? fmt::format("{0} of {0} expectations met", expectations)
                         : fmt::format("{} of {} expectations not met", failed, expectations);
  if (claims > 0) text += fmt::format("; {} of {} documented claims borne out", borne_out, claims);
  return text;
}

namespace {

// A claim whose interval straddles the claimed factor: the run cannot tell (core/bench/claim).
bool is_inconclusive(const bench::Verdict& verdict) {
  return verdict.informational && !verdict.passed && verdict.actual.starts_with("inconclusive");
}

} // namespace

std::string verdict_status(const bench::Verdict& verdict) {
  if (is_inconclusive(verdict)) return "inconclusive";
  if (verdict.informational) return verdict.passed ? "borne out" : "not borne out";
  return verdict.passed ? "pass" : "FAIL";
}

std::string verdict_text(const OperationRow& row) {
  if (row.verdicts.empty()) return "—";
  std::string failed;
  std::string not_borne_out;
  std::string inconclusive;
  const auto add = [](std::string& list, const bench::Verdict& v) {
    list += (list.empty() ? "" : ", ") + verdict_label(v);
  };
  for (const auto* v : row.verdicts) {
    if (is_failure(*v)) add(failed, *v);
    if (is_inconclusive(*v)) {
      add(inconclusive, *v);
    } else if (v->informational && !v->passed) {
      add(not_borne_out, *v);
    }
  }
  std::string text = failed.empty() ? "pass" : "FAIL: " + failed;
  if (!not_borne_out.empty()) text += "; not borne out: " + not_borne_out;
  if (!inconclusive.empty()) text += "; inconclusive: " + inconclusive;
  return text;
}

std::vector<std::pair<std::string, std::string>> environment_rows(const bench::Environment& e) {
  std::vector<std::pair<std::string, std::string>> rows;
  rows.emplace_back("PostgreSQL", e.server_version.empty() ? "unknown" : e.server_version);
  std::string cluster = e.throwaway_cluster ? "throwaway cluster" : "existing server";
  cluster +=
      e.durable ? " (durable: fsync and synchronous_commit on)" : " without fsync (not durable)";
  rows.emplace_back("Cluster", cluster);
  std::string machine = e.host_name.empty() ? "unknown host" : e.host_name;
  if (e.cpus > 0) machine += fmt::format(", {} CPU{}", e.cpus, e.cpus == 1 ? "" : "s");
  if (!e.os.empty()) machine += ", " + e.os;
  rows.emplace_back("Machine", machine);
  std::string settings;
  for (const auto& [name, value] : e.settings)
    settings += (settings.empty() ? "" : ", ") + name + " = " + value;
  rows.emplace_back("Settings", settings.empty() ? "not recorded" : settings);
  if (e.cpu_wakeup_held) {
    rows.emplace_back("CPU wake-up", *e.cpu_wakeup_held
                                         ? "held at 0 µs while timing (/dev/cpu_dma_latency)"
                                         : "CPUs could sleep while timing: " + e.cpu_wakeup_note);
  }
  if (!e.preflight_version.empty()) rows.emplace_back("preflight", e.preflight_version);
  if (!e.started_at.empty()) rows.emplace_back("Started", e.started_at);
  return rows;
}

std::string node_actuals(const plan::PlanNode& node) {
  if (!node.has_actuals) return "";
  return fmt::format("{} ms, {:g} row{}, {:g} loop{}", format_ms(node.actual_total_ms),
                     node.actual_rows, node.actual_rows == 1 ? "" : "s", node.actual_loops,
                     node.actual_loops == 1 ? "" : "s");
}

} // namespace preflight::report
