// The checks table in Markdown (report --checks, GitHub step summary): every value escaped.

#include <gtest/gtest.h>

#include "core/check/results.h"
#include "core/report/check_report.h"

using namespace preflight;
using namespace std::string_literals;

TEST(CheckResults, MarkdownEscapesNamesKindsValuesAndTarget) {
  check::CheckReport report;
  report.target = "db`</table>";
  check::CheckResult r;
  r.name = "<script>alert(1)</script>";
  r.kind = "<b>k</b>";
  r.status = check::CheckStatus::failed;
  r.measured = "<img src=x onerror=alert(1)>";
  r.expected = "a|b";
  r.detail = "</td>";
  report.results.push_back(r);
  EXPECT_EQ(check::render_markdown(report),
            "### preflight check\n\n"
            "1 check: 0 passed, 1 failed, 0 skipped against `db\\`&lt;/table&gt;`\n\n"
            "| | check | kind | measured | expected |\n|---|---|---|---|---|\n"
            "| ❌ | &lt;script&gt;alert(1)&lt;/script&gt; | &lt;b&gt;k&lt;/b&gt; | "
            "&lt;img src=x onerror=alert(1)&gt; — &lt;/td&gt; | a\\|b |\n");
}
