// Lint cases are files under tests/cases/lint/: `<name>.sql` (one migration on its own) or a
// folder `<name>/` (a migration set), with `<name>.expected` holding every line a user reads
// in text format. Cases named `*.good*` have no expected file: they must produce no finding.

#include <gtest/gtest.h>

#include <filesystem>

#include <fmt/format.h>

#include "core/config/config.h"
#include "core/error.h"
#include "core/lint/linter.h"
#include "core/migrate/migration_set.h"
#include "core/report/lint_report.h"
#include "support/case_files.h"

namespace fs = std::filesystem;
using namespace preflight;
using preflight::testing::case_path;
using preflight::testing::read_text;

namespace {

std::vector<std::string> lint_cases() {
  std::vector<std::string> cases;
  for (const auto& name : preflight::testing::case_names("lint")) {
    if (name.size() < 9 || name.compare(name.size() - 9, 9, ".expected") != 0)
      cases.push_back(name);
  }
  return cases;
}

std::string stem(const std::string& name) {
  return name.size() > 4 && name.compare(name.size() - 4, 4, ".sql") == 0
             ? name.substr(0, name.size() - 4)
             : name;
}

std::vector<lint::LintMigration> load_case(const std::string& name) {
  const fs::path path = case_path("lint", name);
  if (!fs::is_directory(path)) {
    const std::string sql = read_text(path);
    return {
        {0, migrate::Script{name, sql, migrate::has_no_transaction_directive(sql)}, std::nullopt}};
  }
  std::vector<migrate::SourceFile> files;
  for (const auto& entry : fs::directory_iterator(path)) {
    auto file = entry.path().filename().string();
    files.push_back({name + "/" + file, file, read_text(entry.path())});
  }
  // As `preflight lint` loads a folder: transaction control is reported, not refused.
  migrate::DiscoveryOptions options;
  options.check_transaction_control = false;
  return lint::lint_migrations_of(migrate::discover_migrations(files, options));
}

std::string lint_text(const std::vector<lint::LintMigration>& migrations,
                      const lint::LintConfig& config = {}) {
  std::string out;
  for (const auto& line : lint::render_text(lint::lint_migrations(migrations, config)))
    out += line + "\n";
  return out;
}

class LintCase : public ::testing::TestWithParam<std::string> {};

TEST_P(LintCase, ReportsExactlyTheExpectedFindings) {
  const std::string name = GetParam();
  const fs::path expected = case_path("lint", stem(name) + ".expected");
  const bool good = name.find(".good") != std::string::npos;
  ASSERT_EQ(fs::exists(expected), !good)
      << (good ? "a good case has no expected file: " : "missing ") << expected;
  EXPECT_EQ(lint_text(load_case(name)), good ? std::string{} : read_text(expected));
}

INSTANTIATE_TEST_SUITE_P(Cases, LintCase, ::testing::ValuesIn(lint_cases()),
                         preflight::testing::CaseName());

// Every rule is proven both ways: a bad case whose expected output names it, and a good case.
TEST(LintCatalogue, EveryRuleHasAFlaggedAndACleanCase) {
  const auto cases = lint_cases();
  for (const auto& rule : lint::all_rules()) {
    bool flagged = false;
    for (const auto& name : cases) {
      if (name.find(".bad") == std::string::npos) continue;
      flagged = flagged ||
                read_text(case_path("lint", stem(name) + ".expected")).find("[" + rule.id + "]") !=
                    std::string::npos;
    }
    EXPECT_TRUE(flagged) << rule.id << " has no bad case";
    const bool clean = std::find_if(cases.begin(), cases.end(), [&](const std::string& n) {
                         return n.rfind(rule.id + ".good", 0) == 0;
                       }) != cases.end();
    EXPECT_TRUE(clean) << rule.id << " has no " << rule.id << ".good case";
  }
}

TEST(LintConfig, LevelsFromPreflightTomlOverrideTheDefaults) {
  auto config = config::parse_config("lock_timeout = \"5s\"\n[lint.rules]\ndrop-column = \"off\"\n"
                                     "create-index-not-concurrently = \"warning\"\n",
                                     "preflight.toml")
                    .lint;
  EXPECT_TRUE(config.lock_timeout_configured);
  std::vector<lint::LintMigration> migrations{
      {1,
       migrate::Script{"m.sql", "CREATE INDEX i ON t (a);\nALTER TABLE t DROP COLUMN b;\n", false},
       std::nullopt}};
  const auto findings = lint::lint_migrations(migrations, config);
  EXPECT_FALSE(lint::has_errors(findings));
  EXPECT_EQ(lint_text(migrations, config),
            "m.sql:1:1: warning[create-index-not-concurrently]: CREATE INDEX on existing table t "
            "takes a SHARE lock: "
            "writes (INSERT, UPDATE, DELETE) are blocked for the whole build\n"
            "  hint: use CREATE INDEX CONCURRENTLY in its own migration that starts with -- "
            "no-transaction\n");
}

TEST(LintConfig, LockTimeoutOfZeroDoesNotTurnTheRuleOff) {
  // PostgreSQL reads 0 (in any unit, or rounding to under 1 ms) as "no timeout".
  for (const char* off : {"0", "0ms", "0 s", "0.4", "100us"}) {
    auto config =
        config::parse_config(fmt::format("lock_timeout = \"{}\"\n", off), "preflight.toml").lint;
    EXPECT_FALSE(config.lock_timeout_configured) << off;
  }
  for (const char* on : {"5s", "1", "2 min", "0.5s", "1h"}) {
    auto config =
        config::parse_config(fmt::format("lock_timeout = \"{}\"\n", on), "preflight.toml").lint;
    EXPECT_TRUE(config.lock_timeout_configured) << on;
  }
}

TEST(LintConfig, UnknownRuleIdIsBadInputAtItsLine) {
  try {
    config::parse_config("migrations = \"db\"\n\n[lint.rules]\ncreate-index = \"off\"\n",
                         "preflight.toml");
    FAIL() << "accepted an unknown rule";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::input);
    EXPECT_EQ(e.headline(), "preflight.toml:4:1: unknown lint rule `create-index` in [lint.rules]");
  }
}

TEST(LintConfig, RulesThatIsNotATableIsAWrongTypeNotAnUnknownKey) {
  try {
    config::parse_config("[lint]\nrules = \"x\"\n", "p.toml");
    FAIL() << "accepted lint.rules as a string";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::input);
    EXPECT_EQ(e.headline(), "p.toml:2:9: `lint.rules` must be a table ([lint.rules])");
  }
}

TEST(LintConfig, BadLevelIsBadInput) {
  try {
    config::parse_config("[lint.rules]\ndrop-column = \"loud\"\n", "p.toml");
    FAIL() << "accepted a bad level";
  } catch (const Error& e) {
    EXPECT_EQ(e.headline(),
              "p.toml:2:15: lint rule `drop-column` must be \"off\", \"warning\" or \"error\"");
  }
}

TEST(LintInput, UnparseableSqlNamesFileLineAndColumn) {
  std::vector<lint::LintMigration> migrations{
      {1, migrate::Script{"broken.sql", "SELECT 1;\nCREATE INDEXX i ON t (a);\n", false},
       std::nullopt}};
  try {
    lint::lint_migrations(migrations, {});
    FAIL() << "accepted broken SQL";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::input);
    EXPECT_EQ(e.headline(),
              "broken.sql:2:8: SQL does not parse: syntax error at or near \"INDEXX\"");
  }
}

TEST(LintInput, UnknownRuleInSuppressionCommentIsBadInput) {
  std::vector<lint::LintMigration> migrations{
      {1, migrate::Script{"s.sql", "-- preflight:ignore no-such-rule\nSELECT 1;\n", false},
       std::nullopt}};
  try {
    lint::lint_migrations(migrations, {});
    FAIL() << "accepted an unknown rule id";
  } catch (const Error& e) {
    EXPECT_EQ(e.headline(),
              "s.sql:1:1: unknown lint rule `no-such-rule` in a preflight:ignore comment");
  }
}

} // namespace
