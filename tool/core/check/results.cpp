#include "core/check/results.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/json_integer.h"

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
        r.line = json_integer<int>(j["source"].at("line"));
      }
      report.results.push_back(std::move(r));
    }
  } catch (const nlohmann::json::exception& e) {
    throw bad(e.what());
  }
  return report;
}

} // namespace preflight::check
