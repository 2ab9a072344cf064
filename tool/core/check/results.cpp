#include "core/check/results.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/report/text.h"

namespace preflight::check {

std::string to_string(CheckStatus status) {
  switch (status) {
  case CheckStatus::passed: return "passed";
  case CheckStatus::failed: return "failed";
  case CheckStatus::skipped: return "skipped";
  }
  return "failed";
}

std::size_t CheckReport::count(CheckStatus status) const {
  std::size_t n = 0;
  for (const auto& r : results) n += r.status == status ? 1U : 0U;
  return n;
}

nlohmann::json to_json(const CheckReport& report) {
  auto checks = nlohmann::json::array();
  for (const auto& r : report.results) {
    nlohmann::json j{{"name", r.name},
                     {"kind", r.kind},
                     {"status", to_string(r.status)},
                     {"measured", r.measured},
                     {"expected", r.expected},
                     {"detail", r.detail},
                     {"duration_ms", r.duration_ms},
                     {"data", r.data}};
    if (!r.file.empty()) j["source"] = {{"file", r.file}, {"line", r.line}};
    checks.push_back(std::move(j));
  }
  return nlohmann::json{
      {"schema", "preflight.check"},
      {"schema_version", k_check_schema_version},
      {"target", report.target},
      {"started_at", report.started_at},
      {"duration_ms", report.duration_ms},
      {"summary",
       {{"total", report.results.size()},
        {"passed", report.count(CheckStatus::passed)},
        {"failed", report.count(CheckStatus::failed)},
        {"skipped", report.count(CheckStatus::skipped)}}},
      {"checks", checks},
  };
}

CheckReport from_json(const nlohmann::json& document) {
  auto bad = [](const std::string& why) {
    return Error(ErrorKind::input, "not a preflight check results document: " + why);
  };
  // value() throws on a present key of another type: compare the JSON values instead.
  if (!document.is_object() || !document.contains("schema") ||
      document["schema"] != "preflight.check") {
    throw bad("\"schema\" is not \"preflight.check\"");
  }
  if (!document.contains("schema_version") ||
      document["schema_version"] != k_check_schema_version) {
    throw bad(fmt::format("unsupported \"schema_version\" (this preflight reads {})",
                          k_check_schema_version));
  }
  CheckReport report;
  try {
    report.target = document.at("target").get<std::string>();
    report.started_at = document.at("started_at").get<std::string>();
    report.duration_ms = document.at("duration_ms").get<double>();
    for (const auto& j : document.at("checks")) {
      CheckResult r;
      r.name = j.at("name").get<std::string>();
      r.kind = j.at("kind").get<std::string>();
      auto status = j.at("status").get<std::string>();
      if (status == "passed") {
        r.status = CheckStatus::passed;
      } else if (status == "failed") {
        r.status = CheckStatus::failed;
      } else if (status == "skipped") {
        r.status = CheckStatus::skipped;
      } else {
        throw bad(fmt::format("check \"{}\" has unknown status \"{}\"", r.name, status));
      }
      r.measured = j.at("measured").get<std::string>();
      r.expected = j.at("expected").get<std::string>();
      r.detail = j.at("detail").get<std::string>();
      r.duration_ms = j.at("duration_ms").get<double>();
      r.data = j.value("data", nlohmann::json::object());
      if (j.contains("source")) {
        r.file = j["source"].at("file").get<std::string>();
        r.line = j["source"].at("line").get<int>();
      }
      report.results.push_back(std::move(r));
    }
  } catch (const nlohmann::json::exception& e) {
    throw bad(e.what());
  }
  return report;
}

namespace {

using report::github_message;
using report::github_property;
using report::xml_escape;

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
         (report.target.empty() ? "" : " against `" + report::markdown_cell(report.target) + "`") +
         "\n\n";
  out += "| | check | kind | measured | expected |\n|---|---|---|---|---|\n";
  for (const auto& r : report.results) {
    const char* mark = r.status == CheckStatus::passed    ? "✅"
                       : r.status == CheckStatus::skipped ? "⏭️"
                                                          : "❌";
    std::string measured = r.measured;
    if (r.status != CheckStatus::passed && !r.detail.empty()) measured += " — " + r.detail;
    out += fmt::format("| {} | {} | {} | {} | {} |\n", mark, report::markdown_cell(r.name),
                       report::markdown_cell(r.kind), report::markdown_cell(measured),
                       report::markdown_cell(r.expected));
  }
  return out;
}

} // namespace preflight::check
