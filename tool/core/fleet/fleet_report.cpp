#include "core/fleet/fleet_report.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/migrate/migration_set.h"
#include "core/text/text.h"

namespace preflight::fleet {

namespace {

std::string version_text(const std::optional<std::int64_t>& version, const std::string& text) {
  if (!version) return "-";
  return migrate::shown_version(*version, text);
}

std::string result_text(TargetResult result) {
  switch (result) {
  case TargetResult::ok: return "ok";
  case TargetResult::failed: return "FAILED";
  case TargetResult::history_mismatch: return "HISTORY MISMATCH";
  case TargetResult::skipped: return "skipped";
  }
  return "?";
}

std::string seconds(std::int64_t ns) {
  return fmt::format("{:.3f}", static_cast<double>(ns) / 1e9);
}

} // namespace

std::string to_string(TargetResult result) {
  switch (result) {
  case TargetResult::ok: return "ok";
  case TargetResult::failed: return "failed";
  case TargetResult::history_mismatch: return "history_mismatch";
  case TargetResult::skipped: return "skipped";
  }
  return "unknown";
}

std::size_t FleetReport::count(TargetResult result) const {
  return static_cast<std::size_t>(std::count_if(targets.begin(), targets.end(),
                                                [&](const auto& t) { return t.result == result; }));
}

int exit_code(const FleetReport& report) {
  if (report.count(TargetResult::history_mismatch) > 0) return 3;
  if (report.count(TargetResult::failed) > 0 || report.count(TargetResult::skipped) > 0) return 1;
  return 0;
}

std::string render_table(const FleetReport& report) {
  std::size_t name_width = 6;
  for (const auto& t : report.targets) name_width = std::max(name_width, t.name.size());
  // fmt pads UTF-8 text by its display width, so "→" counts as one column.
  constexpr std::size_t k_versions = 12;
  std::string text = fmt::format("{:<{}}  {:>{}}  {:>10}  {}\n", "target", name_width, "from → to",
                                 k_versions, "duration", "result");
  for (const auto& t : report.targets) {
    const std::string versions =
        t.result == TargetResult::skipped
            ? std::string("")
            : fmt::format("{} → {}", version_text(t.from_version, t.from_text),
                          version_text(t.to_version, t.to_text));
    const std::string duration = t.result == TargetResult::skipped
                                     ? std::string("")
                                     : text::format_duration_ns(t.duration_ns);
    std::string result = result_text(t.result);
    if (!t.summary.empty()) result += ": " + text::one_line(t.summary, 160);
    text += fmt::format("{:<{}}  {:>{}}  {:>10}  {}\n", t.name, name_width, versions, k_versions,
                        duration, result);
  }
  const std::size_t n = report.targets.size();
  text += fmt::format(
      "{} target{}: {} ok, {} failed, {} history mismatch, {} skipped in {}", n, n == 1 ? "" : "s",
      report.count(TargetResult::ok), report.count(TargetResult::failed),
      report.count(TargetResult::history_mismatch), report.count(TargetResult::skipped),
      text::format_duration_ns(report.duration_ns));
  if (!report.shard.empty()) {
    text += fmt::format(" (shard {} of a fleet of {})", report.shard, report.fleet_size);
  }
  text += "\n";
  if (!report.stop_reason.empty()) text += "stopped: " + report.stop_reason + "\n";
  return text;
}

nlohmann::json to_json(const FleetReport& report) {
  nlohmann::json targets = nlohmann::json::array();
  for (const auto& t : report.targets) {
    nlohmann::json entry{
        {"name", t.name},
        {"result", to_string(t.result)},
        {"from_version", nullptr},
        {"to_version", nullptr},
        {"changed", t.changed},
        {"duration_s", t.result == TargetResult::skipped
                           ? nlohmann::json(nullptr)
                           : nlohmann::json(static_cast<double>(t.duration_ns) / 1e9)},
        {"summary", t.summary}};
    if (t.from_version) entry["from_version"] = *t.from_version;
    if (t.to_version) entry["to_version"] = *t.to_version;
    if (!t.from_text.empty()) entry["from_version_text"] = t.from_text;
    if (!t.to_text.empty()) entry["to_version_text"] = t.to_text;
    if (!t.detail.empty()) entry["error"] = t.detail;
    targets.push_back(std::move(entry));
  }
  return nlohmann::json{
      {"command", report.command},
      {"parallel", report.parallel},
      {"shard", report.shard.empty() ? nlohmann::json(nullptr) : nlohmann::json(report.shard)},
      {"fleet_size", report.fleet_size},
      {"duration_s", static_cast<double>(report.duration_ns) / 1e9},
      {"counts",
       {{"ok", report.count(TargetResult::ok)},
        {"failed", report.count(TargetResult::failed)},
        {"history_mismatch", report.count(TargetResult::history_mismatch)},
        {"skipped", report.count(TargetResult::skipped)}}},
      {"stop_reason",
       report.stop_reason.empty() ? nlohmann::json(nullptr) : nlohmann::json(report.stop_reason)},
      {"targets", std::move(targets)}};
}

std::string render_github(const FleetReport& report) {
  std::string text;
  for (const auto& t : report.targets) {
    const bool bad = t.result == TargetResult::failed || t.result == TargetResult::history_mismatch;
    const std::string level = bad                                 ? "error"
                              : t.result == TargetResult::skipped ? "warning"
                                                                  : "notice";
    std::string message =
        t.result == TargetResult::skipped
            ? "not started: " + report.stop_reason
            : fmt::format("{} → {}: {}", version_text(t.from_version, t.from_text),
                          version_text(t.to_version, t.to_text), t.summary);
    if (bad && !t.detail.empty()) message = t.detail;
    text += fmt::format("::{} title={}::{}\n", level,
                        text::github_property(report.command + " " + t.name),
                        text::github_message(message));
  }
  return text;
}

std::string render_junit(const FleetReport& report) {
  std::string cases;
  for (const auto& t : report.targets) {
    cases += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{}\">",
                         text::xml_escape("preflight " + report.command), text::xml_escape(t.name),
                         seconds(t.duration_ns));
    switch (t.result) {
    case TargetResult::ok: break;
    case TargetResult::skipped:
      cases += fmt::format("<skipped message=\"{}\">{}</skipped>", text::xml_escape("not started"),
                           text::xml_escape(report.stop_reason));
      break;
    case TargetResult::failed:
    case TargetResult::history_mismatch:
      cases += fmt::format("<failure message=\"{}\" type=\"{}\">{}</failure>",
                           text::xml_escape(text::one_line(t.summary, 200)), to_string(t.result),
                           text::xml_escape(t.detail.empty() ? t.summary : t.detail));
      break;
    }
    cases += "</testcase>\n";
  }
  const std::size_t failures =
      report.count(TargetResult::failed) + report.count(TargetResult::history_mismatch);
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<testsuites>\n"
      "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" "
      "time=\"{}\">\n{}  </testsuite>\n</testsuites>\n",
      text::xml_escape("preflight " + report.command), report.targets.size(), failures,
      report.count(TargetResult::skipped), seconds(report.duration_ns), cases);
}

} // namespace preflight::fleet
