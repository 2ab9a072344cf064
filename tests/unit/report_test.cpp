// Reports. Golden cases are folders under tests/cases/report/: results.json (and, optionally,
// checks.json from `preflight check --format json`) and the whole expected report.md and
// report.xml. Then the HTML's escaping and self-containment, lock modes,
// and the GitHub outputs' limits.

#include <gtest/gtest.h>

#include <optional>
#include <regex>

#include "core/bench/compare.h"
#include "core/check/results.h"
#include "core/report/compare_report.h"
#include "core/report/report.h"
#include "core/report/results_view.h"
#include "core/text/text.h"
#include "support/case_files.h"

using namespace preflight;
using preflight::testing::read_text;

namespace {

bench::Results load_case(const std::string& name) {
  return bench::results_from_json(nlohmann::json::parse(
      read_text(preflight::testing::case_path("report", name) / "results.json")));
}

std::optional<check::CheckReport> load_checks(const std::string& name) {
  auto text = read_text(preflight::testing::case_path("report", name) / "checks.json");
  if (text.empty()) return std::nullopt;
  return check::from_json(nlohmann::json::parse(text));
}

class ReportCase : public ::testing::TestWithParam<std::string> {};

TEST_P(ReportCase, MarkdownMatchesTheGoldenFile) {
  auto checks = load_checks(GetParam());
  EXPECT_EQ(report::render_markdown(load_case(GetParam()), checks ? &*checks : nullptr),
            read_text(preflight::testing::case_path("report", GetParam()) / "report.md"));
}

TEST_P(ReportCase, JUnitMatchesTheGoldenFile) {
  auto checks = load_checks(GetParam());
  EXPECT_EQ(report::render_junit(load_case(GetParam()), checks ? &*checks : nullptr),
            read_text(preflight::testing::case_path("report", GetParam()) / "report.xml"));
}

TEST_P(ReportCase, HtmlIsSelfContainedWithoutScripts) {
  auto html = report::render_html(load_case(GetParam()));
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("href="), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  // The only URL is the SVG namespace name, which browsers never fetch.
  auto without_namespace =
      std::regex_replace(html, std::regex("xmlns=\"http://www.w3.org/2000/svg\""), "");
  EXPECT_EQ(without_namespace.find("://"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Cases, ReportCase,
                         ::testing::ValuesIn(preflight::testing::case_names("report")),
                         preflight::testing::CaseName());

TEST(HtmlReport, EscapesAQueryNamedScript) {
  auto html = report::render_html(load_case("escaping"));
  EXPECT_EQ(html.find("<script>alert(1)</script>"), std::string::npos);
  EXPECT_NE(html.find("<h3>&lt;script&gt;alert(1)&lt;/script&gt;</h3>"), std::string::npos);
  EXPECT_NE(html.find("<title>Performance report: evil &amp; &lt;suite&gt;</title>"),
            std::string::npos);
  EXPECT_NE(html.find("Documented claim: a | b &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;"),
            std::string::npos);
  EXPECT_EQ(html.find("<b>bold"), std::string::npos);
  // Chart titles carry the name too.
  EXPECT_NE(html.find("<title>Latency distribution of &lt;script&gt;alert(1)&lt;/script&gt;, "
                      "before and after</title>"),
            std::string::npos);
}

TEST(HtmlReport, ChartsHaveAxesUnitsLegendAndHighlightIndexNodes) {
  auto html = report::render_html(load_case("focus_sessions"));
  EXPECT_NE(html.find("latency (ms, log scale)"), std::string::npos);
  EXPECT_NE(html.find("executions ≤ x"), std::string::npos);
  EXPECT_NE(html.find("before (n = 40, median 39.1 ms)"), std::string::npos);
  EXPECT_NE(html.find("after (n = 40, median 0.0910 ms)"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"node index\">Index Scan using idx_focus_sessions_user_active "
                      "on focus_sessions</span>"),
            std::string::npos);
  EXPECT_NE(html.find("<span class=\"node seq\">Seq Scan on focus_sessions</span>"),
            std::string::npos);
  EXPECT_NE(html.find("time since the migration started (ms)"), std::string::npos);
  EXPECT_NE(html.find("throwaway cluster without fsync"), std::string::npos);
  EXPECT_NE(html.find("<p class=\"banner fail\">FAIL — 1 of 3 expectations not met.</p>"),
            std::string::npos);
}

bench::Comparison many_findings(std::size_t errors, std::size_t warnings) {
  bench::Comparison c;
  for (std::size_t i = 0; i < errors; ++i) {
    c.findings.push_back(
        {bench::Severity::error, "regression", "q" + std::to_string(i), "after", "slower"});
  }
  for (std::size_t i = 0; i < warnings; ++i) {
    c.findings.push_back({bench::Severity::warning, "environment", "", "", "host differs"});
  }
  return c;
}

TEST(GithubOutput, AtMostTenAnnotationsPerTypeAndTheRestCounted) {
  auto text = report::github_annotations(many_findings(13, 2));
  std::size_t errors = 0, warnings = 0;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    errors += line.rfind("::error ", 0) == 0 ? 1U : 0U;
    warnings += line.rfind("::warning ", 0) == 0 ? 1U : 0U;
  }
  EXPECT_EQ(errors, 10U);
  EXPECT_EQ(warnings, 2U);
  EXPECT_NE(text.find("\n3 more error findings not annotated: see the job summary\n"),
            std::string::npos)
      << text;
}

TEST(GithubOutput, AnnotationsEscapeMessagesAndProperties) {
  bench::Comparison c;
  c.findings.push_back(
      {bench::Severity::error, "regression", "a:b,c", "after", "50 % slower\nsee summary"});
  EXPECT_EQ(report::github_annotations(c), "::error title=preflight bench compare%3A regression in "
                                           "a%3Ab%2Cc (after)::a:b,c (after): 50 %25 "
                                           "slower%0Asee summary\n");
}

TEST(GithubOutput, SummaryIsCutUnderTheLimitWithANote) {
  std::string big;
  while (big.size() < 3000) big += "| a row with ünïcödé |\n";
  auto cut = report::limit_summary(big, 1000);
  EXPECT_LE(cut.size(), 1000U);
  EXPECT_NE(cut.find("*(truncated: the full comparison is over the 1 MiB summary limit"),
            std::string::npos);
  EXPECT_EQ(report::limit_summary("short\n", 1000), "short\n");
}

} // namespace

TEST(Text, ChangesThatRoundToZeroHaveNoMinusSign) {
  EXPECT_EQ(preflight::text::format_change(0.9999), "+0.0 %");
  EXPECT_EQ(preflight::text::format_change(1.0), "+0.0 %");
  EXPECT_EQ(preflight::text::format_change(0.999), "-0.1 %");
  EXPECT_EQ(preflight::text::format_change(1.25), "+25.0 %");
}
