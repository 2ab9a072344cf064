#pragma once
// Check results: the document `preflight check --format json` prints and `preflight report`
// can include (schema "preflight.check" version 1, documented in docs/check.md). Its renderings
// for people and CI are in core/report/check_report.h.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace preflight::check {

inline constexpr int k_check_schema_version = 1;

enum class CheckStatus { passed, failed, skipped };

/// "passed", "failed", "skipped".
std::string to_string(CheckStatus status);

struct CheckResult {
  std::string name;
  std::string kind; // "sql", "index_used", "plan", "schema", "migration", "statements"
  CheckStatus status = CheckStatus::failed;
  std::string measured; // what the database showed, e.g. "0", "idx_scan +4 in 30s"
  std::string expected; // the limit, e.g. "== 0", "an index scan reads focus_sessions"
  std::string detail;   // why it failed or was skipped, or how it was measured
  std::string file;     // where the check is defined ("" if derived from nothing on disk)
  int line = 0;
  double duration_ms = 0;
  nlohmann::json data = nlohmann::json::object(); // kind-specific facts (plan, samples, …)
};

struct CheckReport {
  std::string target;     // the database, password-free
  std::string started_at; // UTC, ISO 8601
  double duration_ms = 0;
  std::vector<CheckResult> results;

  std::size_t count(CheckStatus status) const;
  bool passed() const { return count(CheckStatus::failed) == 0; }
};

/// The self-contained JSON document (schema "preflight.check", version 1).
nlohmann::json to_json(const CheckReport& report);
/// Reads a document written by to_json; throws Error(input) naming the first bad field.
CheckReport from_json(const nlohmann::json& document);

} // namespace preflight::check
