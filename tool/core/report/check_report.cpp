#include "core/report/check_report.h"

#include <fmt/format.h>

#include "core/text/text.h"

namespace preflight::check {

namespace {

using text::github_message;
using text::github_property;
using text::xml_escape;

const char* label(CheckStatus status) {
  switch (status) {
  case CheckStatus::passed: return "PASS";
  case CheckStatus::failed: return "FAIL";
  case CheckStatus::skipped: return "SKIP";
  }
  return "FAIL";
}

std::string summary_line(const CheckReport& report) {
  return fmt::format("{} check{}: {} passed, {} failed, {} skipped", report.results.size(),
                     report.results.size() == 1 ? "" : "s", report.count(CheckStatus::passed),
                     report.count(CheckStatus::failed), report.count(CheckStatus::skipped));
}

std::string failure_text(const CheckResult& r) {
  std::string text = fmt::format("measured: {}\nexpected: {}", r.measured, r.expected);
  if (!r.detail.empty()) text += "\n" + r.detail;
  return text;
}

} // namespace

std::string render_text(const CheckReport& report) {
  std::string out;
  for (const auto& r : report.results) {
    out +=
        fmt::format("{}  {}: {} (expected {})\n", label(r.status), r.name, r.measured, r.expected);
    if (!r.detail.empty() && r.status != CheckStatus::passed) {
      std::string indented = r.detail;
      for (std::size_t at = indented.find('\n'); at != std::string::npos;
           at = indented.find('\n', at + 7)) {
        indented.replace(at, 1, "\n      ");
      }
      out += "      " + indented + "\n";
    }
  }
  out += summary_line(report) + (report.target.empty() ? "" : " against " + report.target) + "\n";
  return out;
}

namespace {

// The counts <testsuites> and <testsuite> both carry.
std::string junit_counts(const CheckReport& report) {
  return fmt::format(R"(tests="{}" failures="{}" errors="0" skipped="{}" time="{:.3f}")",
                     report.results.size(), report.count(CheckStatus::failed),
                     report.count(CheckStatus::skipped), report.duration_ms / 1000);
}

} // namespace

std::string render_junit_suite(const CheckReport& report) {
  std::string cases;
  for (const auto& r : report.results) {
    cases += fmt::format(R"(    <testcase classname="preflight.check.{}" name="{}" time="{:.3f}")",
                         xml_escape(r.kind), xml_escape(r.name), r.duration_ms / 1000);
    if (!r.file.empty())
      cases += fmt::format(R"( file="{}" line="{}")", xml_escape(r.file), r.line);
    if (r.status == CheckStatus::passed) {
      cases += fmt::format(
          ">\n      <system-out>{}</system-out>\n    </testcase>\n",
          xml_escape(fmt::format("measured: {}\nexpected: {}", r.measured, r.expected)));
    } else if (r.status == CheckStatus::skipped) {
      cases += fmt::format(">\n      <skipped message=\"{}\">{}</skipped>\n    </testcase>\n",
                           xml_escape(r.detail), xml_escape(r.detail));
    } else {
      cases += fmt::format(
          ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>\n",
          xml_escape(fmt::format("measured {}, expected {}", r.measured, r.expected)),
          xml_escape(r.kind), xml_escape(failure_text(r)));
    }
  }
  return fmt::format(
      "  <testsuite name=\"preflight check\" {} timestamp=\"{}\">\n{}  </testsuite>\n",
      junit_counts(report), xml_escape(report.started_at), cases);
}

std::string render_junit(const CheckReport& report) {
  return fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<testsuites name=\"preflight check\" {}>\n{}</testsuites>\n",
                     junit_counts(report), render_junit_suite(report));
}

std::string render_github_annotations(const CheckReport& report) {
  std::string out;
  for (const auto& r : report.results) {
    if (r.status != CheckStatus::failed) continue;
    std::string properties;
    if (!r.file.empty()) {
      properties += "file=" + github_property(r.file);
      if (r.line > 0) properties += fmt::format(",line={}", r.line);
      properties += ",";
    }
    properties += "title=" + github_property("preflight check: " + r.name);
    out += fmt::format("::error {}::{}\n", properties, github_message(failure_text(r)));
  }
  return out;
}

std::string render_markdown(const CheckReport& report) {
  std::string out = "### preflight check\n\n";
  // Names, values and the target come from the checks file, the database or a results file:
  // escaped as the benchmark rows are, so that none of them can inject HTML or break the table.
  out += summary_line(report) +
         (report.target.empty() ? "" : " against `" + text::markdown_cell(report.target) + "`") +
         "\n\n";
  out += "| | check | kind | measured | expected |\n|---|---|---|---|---|\n";
  for (const auto& r : report.results) {
    const char* mark = r.status == CheckStatus::passed    ? "✅"
                       : r.status == CheckStatus::skipped ? "⏭️"
                                                          : "❌";
    std::string measured = r.measured;
    if (r.status != CheckStatus::passed && !r.detail.empty()) measured += " — " + r.detail;
    out += fmt::format("| {} | {} | {} | {} | {} |\n", mark, text::markdown_cell(r.name),
                       text::markdown_cell(r.kind), text::markdown_cell(measured),
                       text::markdown_cell(r.expected));
  }
  return out;
}

} // namespace preflight::check
