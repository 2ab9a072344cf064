#pragma once
// What a fleet run did to each target, and its renderings: the final table, one JSON document,
// GitHub workflow commands and JUnit XML (one entry per target).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace preflight::fleet {

enum class TargetResult {
  ok,               // did what was asked (or had nothing to do)
  failed,           // a migration or check failed, or the target could not be reached
  history_mismatch, // its history does not match the files (edited, missing, failed rows)
  skipped,          // not started: the rollout stopped first
};

/// Stable lower-case name, as in JSON: ok, failed, history_mismatch, skipped.
std::string to_string(TargetResult result);

struct TargetOutcome {
  std::string name;
  TargetResult result = TargetResult::skipped;
  std::optional<std::int64_t> from_version; // newest applied migration before (none: empty)
  std::optional<std::int64_t> to_version;   // and after
  std::size_t changed = 0;                  // migrations applied or reverted, or pending
  std::int64_t duration_ns = 0;
  std::string summary; // one line: "applied 3", "up to date", "2 pending", the error headline
  std::string detail;  // the whole error with its hints, for failed targets
  // Both as the layout's tool writes them (Flyway "1.2"), when that is not the number.
  std::string from_text{};
  std::string to_text{};
};

struct FleetReport {
  std::string command; // "migrate up", …
  std::vector<TargetOutcome> targets;
  std::size_t parallel = 1;
  std::string shard;          // "2/4", "" when not sharded
  std::size_t fleet_size = 0; // targets before sharding
  std::string stop_reason;    // why targets were skipped, "" if none were
  std::int64_t duration_ns = 0;

  std::size_t count(TargetResult result) const;
};

/// 3 if a target's history mismatches, else 1 if a target failed or was skipped, else 0.
int exit_code(const FleetReport& report);

/// The final table (target, from → to, duration, result) and a summary line.
std::string render_table(const FleetReport& report);
/// One JSON document (stable field names, documented in docs/fleets.md).
nlohmann::json to_json(const FleetReport& report);
/// A ::error line per failed target, a ::notice line per other one.
std::string render_github(const FleetReport& report);
/// JUnit XML: one testcase per target (skipped targets as <skipped/>).
std::string render_junit(const FleetReport& report);

} // namespace preflight::fleet
