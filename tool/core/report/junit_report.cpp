// JUnit XML for CI test tabs. Details go in the element text because some readers ignore the
// message attribute (REFERENCE.md, CI output conventions).

#include <fmt/format.h>

#include "core/report/check_report.h"
#include "core/report/report.h"
#include "core/report/results_view.h"
#include "core/text/text.h"

namespace preflight::report {

using text::one_line;
using text::xml_escape;

std::string render_junit(const bench::Results& results, const check::CheckReport* checks) {
  const std::size_t failures = count_failures(results);
  const std::string suite = xml_escape(results.suite_name);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  const std::size_t all_tests = results.verdicts.size() + (checks ? checks->results.size() : 0U);
  const std::size_t all_failures =
      failures + (checks ? checks->count(check::CheckStatus::failed) : 0U);
  out += fmt::format("<testsuites name=\"preflight\" tests=\"{}\" failures=\"{}\">\n", all_tests,
                     all_failures);
  out += fmt::format(
      "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\">\n", suite,
      results.verdicts.size(), failures);
  for (const auto& v : results.verdicts) {
    const std::string detail = fmt::format("limit: {}\nmeasured: {}", v.expected, v.actual);
    out += fmt::format("    <testcase classname=\"{}\" name=\"{}\">\n", xml_escape(v.query),
                       xml_escape(verdict_label(v)));
    if (!is_failure(v)) {
      // Informational claims are reported, never failed: the text says whether they held.
      const std::string text =
          v.informational ? "informational claim, " + verdict_status(v) + "\n" + detail : detail;
      out += fmt::format("      <system-out>{}</system-out>\n", xml_escape(text));
    } else {
      out += fmt::format(
          "      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
          xml_escape(one_line(fmt::format("measured {}; limit {}", v.actual, v.expected), 500)),
          xml_escape(v.kind), xml_escape(detail));
    }
    out += "    </testcase>\n";
  }
  out += "  </testsuite>\n";
  if (checks) out += check::render_junit_suite(*checks);
  out += "</testsuites>\n";
  return out;
}

} // namespace preflight::report
