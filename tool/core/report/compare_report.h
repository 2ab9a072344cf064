#pragma once
// Renders a `bench compare` result: a text table for terminals, Markdown for PR comments and the
// GitHub job summary, JSON for machines, and GitHub Actions annotations.

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "core/bench/compare.h"

namespace preflight::report {

/// The aligned table, the findings and a one-line result, for a terminal.
std::string compare_text(const bench::Comparison& comparison, const bench::CompareOptions& options);
/// The same as Markdown (a heading with the result, the table, the findings as a list).
std::string compare_markdown(const bench::Comparison& comparison,
                             const bench::CompareOptions& options);
/// The same as a JSON document (stable field names, documented in docs/compare.md).
nlohmann::json compare_json(const bench::Comparison& comparison,
                            const bench::CompareOptions& options);
/// `::error` / `::warning` / `::notice` workflow commands, at most `max_per_type` of each
/// (GitHub shows about ten per step), then a plain line saying how many more the summary has.
std::string github_annotations(const bench::Comparison& comparison, std::size_t max_per_type = 10);
/// `markdown` cut to at most `max_bytes` bytes (at a line boundary) with a note saying so;
/// GitHub rejects a step summary over 1 MiB.
std::string limit_summary(const std::string& markdown, std::size_t max_bytes = 1024 * 1024);
/// "FAIL: 1 regression, 1 plan change" or "pass: no regression (2 improvements, 1 warning)".
std::string compare_result_line(const bench::Comparison& comparison);

} // namespace preflight::report
