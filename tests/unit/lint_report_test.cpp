// The machine formats of lint: JSON, GitHub annotations (with their escaping) and SARIF 2.1.0.

#include <gtest/gtest.h>

#include "core/report/lint_report.h"
#include "core/text/text.h"

using namespace preflight::lint;

namespace {

std::vector<Finding> two_findings() {
  return {{"create-index-not-concurrently", Level::error, "db/0003_x,y.sql", 14, 1,
           "CREATE INDEX on existing table t takes a SHARE lock: 100% of writes wait",
           "use CONCURRENTLY"},
          {"drop-column", Level::warning, "db/0004_z.sql", 2, 5,
           "DROP COLUMN t.c breaks running code", ""}};
}

TEST(LintReport, GithubAnnotationsEscapePropertiesAndMessage) {
  auto lines = render_github(two_findings());
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(
      lines[0],
      "::error file=db/0003_x%2Cy.sql,line=14,col=1,title=preflight "
      "create-index-not-concurrently::CREATE INDEX "
      "on existing table t takes a SHARE lock: 100%25 of writes wait%0Ahint: use CONCURRENTLY");
  EXPECT_EQ(lines[1], "::warning file=db/0004_z.sql,line=2,col=5,title=preflight drop-column::DROP "
                      "COLUMN t.c breaks "
                      "running code");
  EXPECT_EQ(preflight::text::github_property("a:b,c%\r\n"), "a%3Ab%2Cc%25%0D%0A");
}

TEST(LintReport, JsonHasEveryFieldAndTheCounts) {
  auto json = render_json(two_findings());
  EXPECT_EQ(json["errors"], 1);
  EXPECT_EQ(json["warnings"], 1);
  EXPECT_EQ(
      json["findings"][0].dump(),
      R"({"column":1,"file":"db/0003_x,y.sql","hint":"use CONCURRENTLY","level":"error","line":14,)"
      R"("message":"CREATE INDEX on existing table t takes a SHARE lock: 100% of writes wait",)"
      R"("rule":"create-index-not-concurrently"})");
}

TEST(LintReport, SarifListsEveryRuleAndLocatesResults) {
  auto sarif = render_sarif(two_findings(), "9.9.9");
  EXPECT_EQ(sarif["version"], "2.1.0");
  const auto& run = sarif["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["name"], "preflight");
  EXPECT_EQ(run["tool"]["driver"]["version"], "9.9.9");
  ASSERT_EQ(run["tool"]["driver"]["rules"].size(), all_rules().size());
  EXPECT_EQ(run["tool"]["driver"]["rules"][0]["id"], "create-index-not-concurrently");
  // SARIF wants helpUri absolute; the project has no URL, so rules carry help text instead.
  EXPECT_FALSE(run["tool"]["driver"]["rules"][0].contains("helpUri"));
  EXPECT_TRUE(run["tool"]["driver"]["rules"][0]["help"]["text"].is_string());
  EXPECT_EQ(run["columnKind"], "unicodeCodePoints");
  const auto& result = run["results"][1];
  EXPECT_EQ(result["ruleId"], "drop-column");
  EXPECT_EQ(run["tool"]["driver"]["rules"][result["ruleIndex"].get<std::size_t>()]["id"],
            "drop-column");
  EXPECT_EQ(result["level"], "warning");
  EXPECT_EQ(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "db/0004_z.sql");
  EXPECT_EQ(result["locations"][0]["physicalLocation"]["region"]["startLine"], 2);
  EXPECT_EQ(result["locations"][0]["physicalLocation"]["region"]["startColumn"], 5);
}

TEST(LintReport, SarifUrisAreValidUriReferences) {
  EXPECT_EQ(artifact_uri("db/0004_z.sql"), "db/0004_z.sql");
  EXPECT_EQ(artifact_uri("sp ace/my file.sql"), "sp%20ace/my%20file.sql");
  // ':' in a first segment would read as a scheme; '%' must not start an escape.
  EXPECT_EQ(artifact_uri("dir,a:b%c/0001_x.sql"), "dir,a%3Ab%25c/0001_x.sql");
  EXPECT_EQ(artifact_uri("/tmp/m/0001_x.sql"), "file:///tmp/m/0001_x.sql");
  EXPECT_EQ(artifact_uri("/tmp/é#?.sql"), "file:///tmp/%C3%A9%23%3F.sql");
  std::vector<Finding> findings{{"drop-column", Level::warning, "sp ace/a.sql", 1, 1, "m", ""}};
  EXPECT_EQ(render_sarif(findings, "1")["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
                                       ["artifactLocation"]["uri"],
            "sp%20ace/a.sql");
}

TEST(LintReport, TextAndSummary) {
  std::vector<std::string> expected{
      "db/0003_x,y.sql:14:1: error[create-index-not-concurrently]: CREATE INDEX on existing table "
      "t takes a SHARE "
      "lock: 100% of writes wait",
      "  hint: use CONCURRENTLY",
      "db/0004_z.sql:2:5: warning[drop-column]: DROP COLUMN t.c breaks running code"};
  EXPECT_EQ(render_text(two_findings()), expected);
  EXPECT_EQ(summary_line(two_findings(), 6), "1 error, 1 warning in 6 files");
  EXPECT_EQ(summary_line({}, 1), "no findings in 1 file");
}

} // namespace
