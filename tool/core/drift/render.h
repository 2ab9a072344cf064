#pragma once
// What `migrate diff` prints: the differences as text, Markdown or JSON (schema
// "preflight.drift" version 1), and the statements of --sql as one script. Pure: data in, text out.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/drift/compare.h"
#include "core/lint/rules.h"

namespace preflight::drift {

inline constexpr int k_drift_schema_version = 1;

/// What was compared, for the summary line and the JSON document.
struct DriftSummary {
  std::int64_t version = 0;   // the migrations applied for the expected side (0: none)
  std::string version_text;   // as the layout's tool writes it; empty when `version` in decimal
  std::size_t migrations = 0; // how many
  std::string target;         // the live database, password-free
  bool comments = false;
};

/// Milliseconds spent in each step (reported on stderr and in JSON).
struct DriftTimings {
  double cluster_ms = 0;       // starting the throwaway cluster
  double apply_ms = 0;         // applying the migrations there
  double read_actual_ms = 0;   // reading the live catalog
  double read_expected_ms = 0; // reading the expected catalog
  double compare_ms = 0;
};

/// The --sql script: a `-- no-transaction` header, lock_timeout, one statement per difference
/// that has one, and a comment for each that has none.
std::string fix_script(const std::vector<Difference>& differences);

/// The differences for people: one block per difference, then a summary line.
std::string render_text(const std::vector<Difference>& differences, const DriftSummary& summary);
/// A Markdown table (for a pull request or $GITHUB_STEP_SUMMARY).
std::string render_markdown(const std::vector<Difference>& differences,
                            const DriftSummary& summary);
/// The JSON document; `script` and `findings` only with --sql.
nlohmann::json render_json(const std::vector<Difference>& differences, const DriftSummary& summary,
                           const DriftTimings& timings, const std::string* script,
                           const std::vector<lint::Finding>* findings);

/// "3 differences (1 missing, 1 extra, 1 changed) …" or "no drift: …".
std::string summary_line(const std::vector<Difference>& differences, const DriftSummary& summary);

} // namespace preflight::drift
