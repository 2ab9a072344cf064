// Post-deploy checks without a server: checks files (tests/cases/checks/*.toml with the
// expected checks or every error line), expectations, the read-only guard
// (tests/cases/read_only/*.sql), derivation from a migration (tests/cases/derive/*.up.sql), and
// the results document and its renderings.

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "core/check/check_file.h"
#include "core/check/derive.h"
#include "core/check/read_only.h"
#include "core/check/results.h"
#include "core/check/schema_match.h"
#include "core/error.h"
#include "core/migrate/migration_set.h"
#include "core/report/check_report.h"
#include "support/case_files.h"

using namespace preflight;
using namespace preflight::check;
using preflight::testing::case_names;
using preflight::testing::case_path;
using preflight::testing::read_text;

namespace {

std::string strip_suffix(const std::string& name, const std::string& suffix) {
  return name.substr(0, name.size() - suffix.size());
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string describe(const Check& c) {
  std::string out = c.location.to_string() + " " + to_string(c.kind) + " " + c.name + ": ";
  switch (c.kind) {
  case CheckKind::sql: out += c.query + " expect " + c.expect->describe(); break;
  case CheckKind::index_used: out += c.index; break;
  case CheckKind::plan:
    out += c.query + " params [" + join(c.params) + "]" + (c.analyze ? " analyze" : "");
    if (c.plan.index_backed) out += " index_backed " + *c.plan.index_backed;
    if (c.plan.uses_index) out += " uses_index " + *c.plan.uses_index;
    if (!c.plan.no_seq_scan.empty()) out += " no_seq_scan " + join(c.plan.no_seq_scan);
    if (c.plan.max_shared_buffers)
      out += " max_shared_buffers " + std::to_string(*c.plan.max_shared_buffers);
    break;
  case CheckKind::schema: out += c.object.describe(); break;
  case CheckKind::migration:
    out += "version " + (c.version_text.empty() ? std::to_string(c.version) : c.version_text) +
           " newest " + (c.newest ? "true" : "false");
    break;
  case CheckKind::statements:
    out += c.query + " max_mean_ms " + fmt::format("{:g}", c.max_mean_ms) + " min_calls " +
           std::to_string(c.min_calls) + (c.optional ? " optional" : "");
    break;
  case CheckKind::drift:
    out += "to " +
           (!c.to_text.empty() ? c.to_text
            : c.to             ? std::to_string(*c.to)
                               : std::string("recorded")) +
           " ignore [" + join(c.ignore) + "]" + (c.comments ? " comments" : "");
    break;
  }
  return out + "\n";
}

std::string describe(const Error& error) {
  std::string out = error.headline() + "\n";
  for (const auto& e : error.more()) out += e.headline() + "\n";
  return out;
}

class ChecksFileCase : public ::testing::TestWithParam<std::string> {};

TEST_P(ChecksFileCase, ParsesOrRejectsWithEveryProblem) {
  const auto name = GetParam();
  const auto stem = strip_suffix(name, ".toml");
  std::string actual;
  try {
    for (const auto& c : parse_checks(read_text(case_path("checks", name)), name))
      actual += describe(c);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::input);
    actual = describe(e);
  }
  EXPECT_EQ(actual, read_text(case_path("checks", stem + ".expected")));
}

INSTANTIATE_TEST_SUITE_P(Cases, ChecksFileCase, ::testing::ValuesIn(case_names("checks", ".toml")),
                         preflight::testing::CaseName());

// Files named <use>_<allow|refuse>_<what>.sql; a refused one has <same>.expected with the reason.
class ReadOnlyCase : public ::testing::TestWithParam<std::string> {};

TEST_P(ReadOnlyCase, ClassifiesAsExpected) {
  const auto name = GetParam();
  const auto stem = strip_suffix(name, ".sql");
  auto use = name.rfind("plan_", 0) == 0 ? QueryUse::plan : QueryUse::sql;
  auto refusal = write_refusal(read_text(case_path("read_only", name)), use);
  if (stem.find("_allow_") != std::string::npos) {
    EXPECT_FALSE(refusal.has_value()) << *refusal;
  } else {
    ASSERT_TRUE(refusal.has_value()) << "must be refused";
    EXPECT_EQ(*refusal + "\n", read_text(case_path("read_only", stem + ".expected")));
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, ReadOnlyCase, ::testing::ValuesIn(case_names("read_only", ".sql")),
                         preflight::testing::CaseName());

class DeriveCase : public ::testing::TestWithParam<std::string> {};

TEST_P(DeriveCase, DerivesSchemaChecksFromTheUpScript) {
  const auto name = GetParam();
  const auto stem = strip_suffix(name, ".up.sql");
  migrate::Migration migration;
  migration.version = std::stoll(stem.substr(0, 4));
  migration.up.path = "migrations/" + name;
  migration.up.sql = read_text(case_path("derive", name));
  std::string actual;
  for (const auto& c : derive_checks(migration)) {
    actual += c.location.to_string() + " " + to_string(c.kind) + ": " +
              (c.kind == CheckKind::schema
                   ? c.object.describe()
                   : fmt::format("{} applied, newest {}", c.version, c.newest ? "true" : "false")) +
              "\n";
  }
  EXPECT_EQ(actual, read_text(case_path("derive", stem + ".expected")));
}

INSTANTIATE_TEST_SUITE_P(Cases, DeriveCase, ::testing::ValuesIn(case_names("derive", ".up.sql")),
                         preflight::testing::CaseName());

ResultRows one(const char* value) {
  return {{value ? std::optional<std::string>(value) : std::nullopt}};
}

TEST(Expectation, NumericComparisonsCompareNumbersNotText) {
  EXPECT_TRUE(evaluate(parse_expectation(">= 1"), one("10")).passed); // "10" < "1…" as text
  EXPECT_TRUE(evaluate(parse_expectation("== 8.5"), one("8.50")).passed);
  EXPECT_FALSE(evaluate(parse_expectation("< 5"), one("5")).passed);
  EXPECT_TRUE(evaluate(parse_expectation("<= 5"), one("5")).passed);
  EXPECT_TRUE(evaluate(parse_expectation("!= 0"), one("-3")).passed);
  EXPECT_TRUE(evaluate(parse_expectation("> -1.5"), one("0")).passed);
  auto not_number = evaluate(parse_expectation("== 0"), one("zero"));
  EXPECT_FALSE(not_number.passed);
  EXPECT_EQ(not_number.reason, "`zero` is not a number, and the expectation compares numbers");
}

TEST(Expectation, DecimalsCompareExactlyBeyondADoublesPrecision) {
  EXPECT_FALSE(evaluate(parse_expectation("== 9007199254740992"), one("9007199254740993")).passed);
  EXPECT_TRUE(evaluate(parse_expectation("> 9007199254740992"), one("9007199254740993")).passed);
  EXPECT_TRUE(
      evaluate(parse_expectation("< 0.30000000000000001"), one("0.3000000000000000099")).passed);
  EXPECT_TRUE(evaluate(parse_expectation("== 0"), one("-0.000")).passed);
  EXPECT_TRUE(evaluate(parse_expectation("< -9.5"), one("-10")).passed);
  EXPECT_TRUE(evaluate(parse_expectation("== 7"), one("007.0")).passed);
  // Exponents and PostgreSQL's infinities still compare, as doubles.
  EXPECT_TRUE(evaluate(parse_expectation("> 1000"), one("1e4")).passed);
  EXPECT_TRUE(evaluate(parse_expectation("> 1000000"), one("Infinity")).passed);
  EXPECT_TRUE(evaluate(parse_expectation("< 0"), one("-Infinity")).passed);
  EXPECT_FALSE(evaluate(parse_expectation("> 0"), one("NaN")).passed);
}

TEST(Expectation, TextComparisonsCompareExactText) {
  EXPECT_TRUE(evaluate(parse_expectation("== active"), one("active")).passed);
  EXPECT_TRUE(evaluate(parse_expectation("!= \"on hold\""), one("active")).passed);
  EXPECT_TRUE(evaluate(parse_expectation("== \"say \\\"hi\\\"\""), one("say \"hi\"")).passed);
  EXPECT_FALSE(evaluate(parse_expectation("== t"), one("f")).passed);
}

TEST(Expectation, RowsCountsRowsOfAnyShape) {
  ResultRows three{{std::string("a"), std::string("b")},
                   {std::nullopt, std::string("c")},
                   {std::string("d"), std::nullopt}};
  auto e = evaluate(parse_expectation("rows == 3"), three);
  EXPECT_TRUE(e.passed);
  EXPECT_EQ(e.measured, "3 rows");
  EXPECT_TRUE(evaluate(parse_expectation("rows < 1"), ResultRows{}).passed);
}

TEST(Expectation, MatchesSearchesTheValue) {
  EXPECT_TRUE(evaluate(parse_expectation(R"(matches "^Index Scan using \\w+")"),
                       one("Index Scan using idx_a on t"))
                  .passed);
  EXPECT_FALSE(evaluate(parse_expectation(R"(matches "Seq Scan")"), one("Index Scan")).passed);
}

TEST(Expectation, ValueExpectationsNeedExactlyOneNonNullValue) {
  auto null = evaluate(parse_expectation("== 0"), one(nullptr));
  EXPECT_FALSE(null.passed);
  EXPECT_EQ(null.measured, "NULL");
  EXPECT_EQ(null.reason, "the query returned NULL");
  auto two =
      evaluate(parse_expectation("== 0"), ResultRows{{std::string("0")}, {std::string("0")}});
  EXPECT_FALSE(two.passed);
  EXPECT_EQ(two.measured, "2 rows × 1 column");
  EXPECT_EQ(two.reason,
            "the query must return exactly one value (one row, one column) for this expectation");
}

TEST(Expectation, StrictParsingRejectsEverythingElse) {
  for (const char* bad :
       {"", "=", "= 1", "=> 1", "rows", "rows >= -1", "rows == x", "matches", "matches x",
        "matches\"x\"", "== \"unterminated", "== a b", "1 == 1", "~ 1"}) {
    EXPECT_THROW(parse_expectation(bad), Error) << bad;
  }
}

TEST(Duration, ParsesUnitsAndRejectsGarbage) {
  EXPECT_EQ(parse_duration_ms("30s", "--window"), 30000);
  EXPECT_EQ(parse_duration_ms("500ms", "--window"), 500);
  EXPECT_EQ(parse_duration_ms("2min", "--window"), 120000);
  EXPECT_EQ(parse_duration_ms("1.5s", "--window"), 1500);
  try {
    parse_duration_ms("30", "--window");
    FAIL() << "no unit must be refused";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "--window: `30` is not a duration");
    EXPECT_EQ(e.kind(), ErrorKind::usage);
  }
  EXPECT_THROW(parse_duration_ms("0s", "--window"), Error);
  EXPECT_THROW(parse_duration_ms("s", "--window"), Error);
}

TEST(RefuseWrites, NamesFileLineAndCheckForEveryRefusal) {
  auto checks = parse_checks(
      "[[check]]\nname = \"bad\"\nkind = \"sql\"\nquery = \"UPDATE t SET a = 1\"\nexpect = \"== "
      "0\"\n\n"
      "[[check]]\nname = \"ok\"\nkind = \"sql\"\nquery = \"SELECT 1\"\nexpect = \"== 1\"\n\n"
      "[[check]]\nname = \"locks\"\nkind = \"plan\"\nquery = \"SELECT * FROM t FOR "
      "UPDATE\"\nno_seq_scan = \"t\"\n\n"
      "[[check]]\nname = \"statement\"\nkind = \"statements\"\nquery = \"UPDATE t SET a = "
      "$1\"\nmax_mean_ms = 1\n",
      "c.toml");
  try {
    refuse_writes(checks);
    FAIL() << "writes must be refused";
  } catch (const Error& e) {
    EXPECT_EQ(describe(e),
              "c.toml:4:9: check \"bad\" refused: UPDATE writes\n"
              "c.toml:16:9: check \"locks\" refused: SELECT … FOR UPDATE/SHARE takes row locks\n");
    EXPECT_EQ(e.hint(), "checks are read-only by design; nothing was run");
  }
}

TEST(SchemaMatch, IndexColumnsAreComparedInCanonicalForm) {
  EXPECT_EQ(canonical_index_column("started_at desc"), "started_at DESC");
  EXPECT_EQ(canonical_index_column("a ASC NULLS LAST"), "a");
  EXPECT_EQ(canonical_index_column("a DESC NULLS FIRST"), "a DESC");
  EXPECT_EQ(canonical_index_column("a nulls first"), "a NULLS FIRST");
  EXPECT_EQ(index_column_from_catalog("b", true, false), "b DESC NULLS LAST");

  SchemaObject want;
  want.kind = SchemaObject::Kind::index;
  want.name = "idx";
  want.table = "focus_sessions";
  want.columns = std::vector<std::string>{"user_id", "status", "started_at DESC"};
  IndexFacts found{"focus_sessions", true, false, true, {"user_id", "status", "started_at"}};
  auto m = match_index(want, found);
  EXPECT_FALSE(m.passed);
  EXPECT_EQ(
      m.detail,
      "columns are (user_id, status, started_at), expected (user_id, status, started_at DESC)");
  found.columns.back() = "started_at DESC";
  found.valid = false;
  m = match_index(want, found);
  EXPECT_FALSE(m.passed);
  EXPECT_EQ(m.measured, "index on focus_sessions (user_id, status, started_at DESC) INVALID");
  found.valid = true;
  EXPECT_TRUE(match_index(want, found).passed);
}

TEST(SchemaMatch, ForeignKeyWithoutCascadeFails) {
  SchemaObject want;
  want.kind = SchemaObject::Kind::constraint;
  want.name = "fk";
  want.on_delete = "cascade";
  want.references = "focus_libraries";
  ConstraintFacts found;
  found.table = "focus_library_tracks";
  found.type = "foreign key";
  found.columns = {"library_id"};
  found.references = "focus_libraries";
  found.on_delete = "no action";
  auto m = match_constraint(want, found);
  EXPECT_FALSE(m.passed);
  EXPECT_EQ(m.measured, "foreign key on focus_library_tracks (library_id) references "
                        "focus_libraries on delete no action");
  EXPECT_EQ(m.detail, "ON DELETE is NO ACTION, expected CASCADE");
}

CheckReport sample_report() {
  CheckReport report;
  report.target = "postgresql://app:***@db/prod";
  report.started_at = "2026-01-17T11:45:00Z";
  report.duration_ms = 12.5;
  CheckResult pass;
  pass.name = "migration 3 applied";
  pass.kind = "migration";
  pass.status = CheckStatus::passed;
  pass.measured = "at version 3";
  pass.expected = "3 applied";
  pass.file = "checks.toml";
  pass.line = 1;
  CheckResult fail;
  fail.name = "errors, last 30 min: <5 & \"low\"";
  fail.kind = "sql";
  fail.status = CheckStatus::failed;
  fail.measured = "7";
  fail.expected = "< 5";
  fail.detail = "100% of\nthem";
  fail.file = "ci:checks.toml";
  fail.line = 12;
  CheckResult skip;
  skip.name = "latency";
  skip.kind = "statements";
  skip.status = CheckStatus::skipped;
  skip.measured = "pg_stat_statements not installed";
  skip.expected = "mean < 5.00 ms";
  skip.detail = "not installed";
  report.results = {pass, fail, skip};
  return report;
}

TEST(CheckResults, JsonRoundTrips) {
  auto report = sample_report();
  auto json = to_json(report);
  EXPECT_EQ(json["schema"], "preflight.check");
  EXPECT_EQ(json["summary"]["failed"], 1);
  auto back = from_json(json);
  EXPECT_EQ(to_json(back), json);
  json["schema_version"] = 2;
  EXPECT_THROW(from_json(json), Error);
}

TEST(CheckResults, TextOneLinePerCheck) {
  EXPECT_EQ(render_text(sample_report()),
            "PASS  migration 3 applied: at version 3 (expected 3 applied)\n"
            "FAIL  errors, last 30 min: <5 & \"low\": 7 (expected < 5)\n"
            "      100% of\n"
            "      them\n"
            "SKIP  latency: pg_stat_statements not installed (expected mean < 5.00 ms)\n"
            "      not installed\n"
            "3 checks: 1 passed, 1 failed, 1 skipped against postgresql://app:***@db/prod\n");
}

TEST(CheckResults, GithubAnnotationsAreEscaped) {
  EXPECT_EQ(render_github_annotations(sample_report()),
            "::error file=ci%3Achecks.toml,line=12,title=preflight check%3A errors%2C last 30 "
            "min%3A <5 & \"low\"::"
            "measured: 7%0Aexpected: < 5%0A100%25 of%0Athem\n");
}

TEST(CheckResults, JunitHasOneTestcasePerCheckWithFailureText) {
  auto xml = render_junit(sample_report());
  EXPECT_NE(
      xml.find(
          R"(<testsuites name="preflight check" tests="3" failures="1" errors="0" skipped="1" time="0.013">)"),
      std::string::npos)
      << xml;
  EXPECT_NE(
      xml.find(
          R"(<testcase classname="preflight.check.sql" name="errors, last 30 min: &lt;5 &amp; &quot;low&quot;")"),
      std::string::npos)
      << xml;
  EXPECT_NE(xml.find(R"(<failure message="measured 7, expected &lt; 5" type="sql">measured: 7
expected: &lt; 5
100% of
them</failure>)"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find(R"(<skipped message="not installed">not installed</skipped>)"),
            std::string::npos)
      << xml;
}

} // namespace
