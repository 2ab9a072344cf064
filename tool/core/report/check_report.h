#pragma once
// The renderings of check results for people and CI: text, JUnit XML, GitHub annotations and a
// Markdown summary (the results themselves: core/check/results.h).

#include <string>

#include "core/check/results.h"

namespace preflight::check {

/// One line per check ("PASS  name: measured (expected …)") plus a summary line.
std::string render_text(const CheckReport& report);
/// JUnit XML: one testsuite, one testcase per check, failures with measured value and limit.
std::string render_junit(const CheckReport& report);
/// The `<testsuite>` element of render_junit() alone (indented for a `<testsuites>` parent), for
/// documents that hold other suites too.
std::string render_junit_suite(const CheckReport& report);
/// GitHub Actions `::error` workflow commands, one per failed check (escaped).
std::string render_github_annotations(const CheckReport& report);
/// A Markdown table for $GITHUB_STEP_SUMMARY or a report.
std::string render_markdown(const CheckReport& report);

} // namespace preflight::check
