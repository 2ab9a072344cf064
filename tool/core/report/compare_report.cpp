#include "core/report/compare_report.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "core/text/text.h"
#include "core/text/text_table.h"

namespace preflight::report {

using text::format_change;
using text::format_ms;
using text::github_message;
using text::github_property;
using text::markdown_cell;
using text::utf8_prefix;

namespace {

using bench::Change;
using bench::Comparison;
using bench::Finding;
using bench::PhaseComparison;
using bench::Severity;

std::string plural(std::size_t n, const std::string& word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

std::string p50_p95(const stats::Summary& s) {
  return fmt::format("{} / {} ms", format_ms(s.p50), format_ms(s.p95));
}

std::string change_cell(const PhaseComparison& row) {
  return fmt::format("{} ({} to {})", format_change(row.ratio.estimate),
                     format_change(row.ratio.low), format_change(row.ratio.high));
}

std::string verdict_cell(const PhaseComparison& row) {
  std::string text = bench::to_string(row.change);
  if (!row.confirmation.empty()) text += " (" + row.confirmation + ")";
  return text;
}

std::string p_cell(double p) {
  return fmt::format("{:.2g}", p);
}

std::string subject(const Finding& f) {
  if (f.query.empty()) return f.kind;
  return f.phase.empty() ? f.query : fmt::format("{} ({})", f.query, f.phase);
}

struct Counts {
  std::size_t regressions = 0, failing_plans = 0, improvements = 0, warnings = 0;
};

Counts count(const Comparison& comparison) {
  Counts c;
  for (const auto& f : comparison.findings) {
    if (f.severity == Severity::error) {
      (f.kind == "plan" ? c.failing_plans : c.regressions) += 1;
    } else if (f.severity == Severity::warning) {
      ++c.warnings;
    } else if (f.kind == "improvement") {
      ++c.improvements;
    }
  }
  return c;
}

std::string confidence_label(const Comparison& comparison, const bench::CompareOptions& options) {
  double confidence =
      comparison.rows.empty() ? 1 - options.alpha : comparison.rows.front().confidence;
  return fmt::format("{:g} % CI", confidence * 100);
}

} // namespace

std::string compare_result_line(const Comparison& comparison) {
  auto c = count(comparison);
  std::vector<std::string> others;
  if (c.improvements) others.push_back(plural(c.improvements, "improvement"));
  if (c.warnings) others.push_back(plural(c.warnings, "warning"));
  std::string tail;
  for (const auto& o : others) tail += (tail.empty() ? "" : ", ") + o;
  if (comparison.failed()) {
    std::string head;
    if (c.regressions) head = plural(c.regressions, "regression");
    if (c.failing_plans)
      head += (head.empty() ? "" : ", ") + plural(c.failing_plans, "plan change");
    return "FAIL: " + head + (tail.empty() ? "" : " (" + tail + ")");
  }
  return "pass: no regression" + (tail.empty() ? std::string() : " (" + tail + ")");
}

std::string compare_text(const Comparison& comparison, const bench::CompareOptions& options) {
  std::vector<std::vector<std::string>> table;
  table.push_back({"query", "phase", "baseline p50 / p95", "current p50 / p95",
                   "change (" + confidence_label(comparison, options) + ")", "p", "verdict"});
  for (const auto& row : comparison.rows) {
    table.push_back({row.query, row.phase, p50_p95(row.baseline), p50_p95(row.current),
                     change_cell(row), p_cell(row.p_value), verdict_cell(row)});
  }
  std::string out;
  for (const auto& line : text::align_columns(table)) out += line + "\n";
  if (!comparison.findings.empty()) out += "\n";
  for (const auto& f : comparison.findings) {
    out += fmt::format("{}: {}: {}\n", bench::to_string(f.severity), subject(f), f.message);
  }
  out += "\n" + compare_result_line(comparison) + "\n";
  return out;
}

std::string compare_markdown(const Comparison& comparison, const bench::CompareOptions& options) {
  std::string out = fmt::format("### preflight bench compare: {}\n\n",
                                markdown_cell(compare_result_line(comparison)));
  out +=
      fmt::format("α = {:g}, minimum effect {:g} % unless a query sets its own.\n\n", options.alpha,
                  (options.min_effect ? *options.min_effect : options.default_min_effect) * 100);
  out += fmt::format(
      "| Query | Phase | Baseline p50 / p95 | Current p50 / p95 | Change ({}) | p | Verdict |\n",
      confidence_label(comparison, options));
  out += "| --- | --- | ---: | ---: | ---: | ---: | --- |\n";
  for (const auto& row : comparison.rows) {
    std::string verdict = markdown_cell(verdict_cell(row));
    if (row.change == Change::regression) verdict = "**" + verdict + "**";
    out += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", markdown_cell(row.query),
                       markdown_cell(row.phase), p50_p95(row.baseline), p50_p95(row.current),
                       change_cell(row), p_cell(row.p_value), verdict);
  }
  if (!comparison.findings.empty()) {
    out += "\n**Findings**\n\n";
    for (const auto& f : comparison.findings) {
      out += fmt::format("- **{}** {}: {}\n", bench::to_string(f.severity),
                         markdown_cell(subject(f)), markdown_cell(f.message));
    }
  }
  return out;
}

nlohmann::json compare_json(const Comparison& comparison, const bench::CompareOptions& options) {
  auto summary = [](const stats::Summary& s) {
    return nlohmann::json{
        {"count", s.count}, {"p50_ms", s.p50}, {"p95_ms", s.p95}, {"p99_ms", s.p99}};
  };
  auto rows = nlohmann::json::array();
  for (const auto& row : comparison.rows) {
    nlohmann::json j{
        {"query", row.query},
        {"phase", row.phase},
        {"baseline", summary(row.baseline)},
        {"current", summary(row.current)},
        {"ratio",
         {{"estimate", row.ratio.estimate}, {"low", row.ratio.low}, {"high", row.ratio.high}}},
        {"confidence", row.confidence},
        {"p_value", row.p_value},
        {"min_effect", row.min_effect},
        {"verdict", bench::to_string(row.change)}};
    if (!row.confirmation.empty()) j["confirmation"] = row.confirmation;
    rows.push_back(std::move(j));
  }
  auto findings = nlohmann::json::array();
  for (const auto& f : comparison.findings) {
    findings.push_back({{"severity", bench::to_string(f.severity)},
                        {"kind", f.kind},
                        {"query", f.query},
                        {"phase", f.phase},
                        {"message", f.message}});
  }
  return {{"alpha", options.alpha},
          {"passed", !comparison.failed()},
          {"result", compare_result_line(comparison)},
          {"rows", rows},
          {"findings", findings}};
}

std::string github_annotations(const Comparison& comparison, std::size_t max_per_type) {
  std::map<Severity, std::size_t> shown;
  std::map<Severity, std::size_t> hidden;
  std::string out;
  for (const auto& f : comparison.findings) {
    if (shown[f.severity] >= max_per_type) {
      ++hidden[f.severity];
      continue;
    }
    ++shown[f.severity];
    std::string title =
        "preflight bench compare: " + f.kind + (f.query.empty() ? "" : " in " + subject(f));
    out += fmt::format("::{} title={}::{}\n", bench::to_string(f.severity), github_property(title),
                       github_message(subject(f) + ": " + f.message));
  }
  for (const auto& [severity, n] : hidden) {
    out += fmt::format("{} more {} finding{} not annotated: see the job summary\n", n,
                       bench::to_string(severity), n == 1 ? "" : "s");
  }
  return out;
}

std::string limit_summary(const std::string& markdown, std::size_t max_bytes) {
  if (markdown.size() <= max_bytes) return markdown;
  const std::string note =
      "\n\n*(truncated: the full comparison is over the 1 MiB summary limit; run "
      "`preflight bench compare --format md` for all of it)*\n";
  std::string_view kept =
      utf8_prefix(markdown, max_bytes > note.size() ? max_bytes - note.size() : 0);
  auto newline = kept.rfind('\n');
  if (newline != std::string_view::npos) kept = kept.substr(0, newline);
  return std::string(kept) + note;
}

} // namespace preflight::report
