#pragma once
// The performance and deployment report of a results document, for people (Markdown for PR
// comments, one self-contained HTML file with inline SVG charts) and for CI (JUnit XML).

#include <string>

#include "core/bench/results.h"
#include "core/check/results.h"

namespace preflight::report {

// Each renderer appends a "Post-deploy checks" part when `checks` (the JSON of
// `preflight check --format json`) is given.

/// Markdown: result, the checklist's table (Operation | Before | After | Improvement | Claim |
/// Verdict), every expectation, the plans' nodes, the migration's locks, the environment.
std::string render_markdown(const bench::Results& results,
                            const check::CheckReport* checks = nullptr);

/// One HTML file that needs no network and no JavaScript: the same content, with latency
/// distributions (empirical CDFs), plan trees and the migration's lock timeline as inline SVG.
std::string render_html(const bench::Results& results, const check::CheckReport* checks = nullptr);

/// JUnit XML: one test case per verdict (classname = query), failures carrying the limit and
/// the measured value in their text.
std::string render_junit(const bench::Results& results, const check::CheckReport* checks = nullptr);

} // namespace preflight::report
