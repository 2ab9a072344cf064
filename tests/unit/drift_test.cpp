// The drift comparison without a server: patterns, definition normalisation, and what
// compare_catalogs reports for hand-built catalogs.

#include <gtest/gtest.h>

#include "core/check/check_file.h"
#include "core/drift/compare.h"
#include "core/drift/render.h"
#include "core/error.h"

using namespace preflight;
using namespace preflight::drift;

namespace {

TEST(DriftPattern, GlobsOnQualifiedNames) {
  EXPECT_TRUE(Pattern("public.tmp_*").matches("public.tmp_import"));
  EXPECT_FALSE(Pattern("public.tmp_*").matches("app.tmp_import"));
  EXPECT_TRUE(Pattern("*.audit_log").matches("app.audit_log"));
  EXPECT_TRUE(Pattern("app.f(*)").matches("app.f(integer, text)"));
  EXPECT_TRUE(Pattern("app.t?").matches("app.t1"));
  EXPECT_FALSE(Pattern("app.t?").matches("app.t12"));
  EXPECT_TRUE(Pattern("app.[a-c]x").matches("app.bx"));
  EXPECT_FALSE(Pattern("app.[!a-c]x").matches("app.bx"));
  EXPECT_TRUE(Pattern("*").matches("anything.at.all"));
}

TEST(DriftPattern, BadPatternsAreUsageErrors) {
  try {
    Pattern("app.[x");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
    EXPECT_EQ(e.message(), "--ignore app.[x: `[` at character 5 is never closed by `]`");
  }
  EXPECT_THROW(Pattern(""), Error);
}

TEST(DriftNormalize, LayoutDoesNotMatterButLiteralsAndCommentsDo) {
  EXPECT_EQ(normalize_definition(" SELECT a,\n    b\n   FROM t;"), "SELECT a,b FROM t;");
  EXPECT_EQ(normalize_definition("f( a , b )"), "f(a,b)");
  EXPECT_NE(normalize_definition("SELECT 'a  b'"), normalize_definition("SELECT 'a b'"));
  EXPECT_EQ(normalize_definition("SELECT 'it''s  x'"), "SELECT 'it''s  x'");
  // A line comment swallowing the next line would change the meaning.
  EXPECT_NE(normalize_definition("a -- x\nb"), normalize_definition("a -- x b"));
}

Catalog with_table(std::vector<std::string> columns) {
  Catalog c;
  Table t;
  t.schema = "app";
  t.name = "t";
  t.sql_name = "app.t";
  for (const auto& name : columns) {
    Column col;
    col.name = col.sql_name = name;
    col.type = "integer";
    t.columns.push_back(col);
  }
  c.tables["app.t"] = t;
  return c;
}

TEST(DriftCompare, ColumnOrderIsReportedApartAndAnExtraColumnAtTheEndIsNotAnOrderChange) {
  auto expected = with_table({"a", "b", "c"});
  auto same_with_extra = with_table({"a", "b", "c", "d"});
  auto d = compare_catalogs(expected, same_with_extra, {});
  ASSERT_EQ(d.size(), 1U);
  EXPECT_EQ(d[0].object, "app.t.d");
  EXPECT_EQ(d[0].change, Change::extra);

  auto reordered = with_table({"a", "c", "b"});
  d = compare_catalogs(expected, reordered, {});
  ASSERT_EQ(d.size(), 1U);
  EXPECT_EQ(d[0].aspect, "column order");
  EXPECT_EQ(d[0].expected, "a, b, c");
  EXPECT_EQ(d[0].actual, "a, c, b");
  EXPECT_FALSE(d[0].sql.has_value());
}

TEST(DriftCompare, IgnoredTablesTakeTheirColumnsAlong) {
  auto expected = with_table({"a"});
  auto actual = with_table({"a", "z"});
  CompareOptions options;
  options.ignore.emplace_back("app.t");
  EXPECT_TRUE(compare_catalogs(expected, actual, options).empty());
}

TEST(DriftCompare, AMissingEnumLabelComesBackWhereTheMigrationsHaveIt) {
  Catalog expected, actual;
  expected.enums["app.e"] = EnumType{"app", "e", "app.e", {"low", "medium", "high"}, {}};
  actual.enums["app.e"] = EnumType{"app", "e", "app.e", {"low", "high"}, {}};
  auto d = compare_catalogs(expected, actual, {});
  ASSERT_EQ(d.size(), 1U);
  EXPECT_EQ(d[0].aspect, "labels");
  EXPECT_EQ(d[0].sql, "ALTER TYPE app.e ADD VALUE 'medium' BEFORE 'high';");
}

TEST(DriftCompare, ConstraintValidityAndIndexValidityAreTheirOwnAspects) {
  auto expected = with_table({"a"});
  auto actual = with_table({"a"});
  Constraint c{"t_a_check", "t_a_check", 'c', "CHECK ((a > 0))", false, false, true, {}};
  expected.tables["app.t"].constraints.push_back(c);
  c.validated = false;
  actual.tables["app.t"].constraints.push_back(c);
  Index i{"app", "t_a_idx", "app.t_a_idx", "app.t", "CREATE INDEX t_a_idx ON app.t USING btree (a)",
          false, "",        true,          true,    {}};
  expected.indexes["app.t_a_idx"] = i;
  i.valid = false;
  actual.indexes["app.t_a_idx"] = i;
  auto d = compare_catalogs(expected, actual, {});
  ASSERT_EQ(d.size(), 2U);
  EXPECT_EQ(d[0].aspect, "validated");
  EXPECT_EQ(d[0].sql, "ALTER TABLE app.t VALIDATE CONSTRAINT t_a_check;");
  EXPECT_EQ(d[1].aspect, "valid");
  EXPECT_EQ(d[1].sql, "REINDEX INDEX CONCURRENTLY app.t_a_idx;");
}

TEST(DriftCompare, CommentsOnlyWhenAsked) {
  auto expected = with_table({"a"});
  auto actual = with_table({"a"});
  expected.tables["app.t"].comment = "old";
  actual.tables["app.t"].comment = "new";
  EXPECT_TRUE(compare_catalogs(expected, actual, {}).empty());
  CompareOptions options;
  options.comments = true;
  auto d = compare_catalogs(expected, actual, options);
  ASSERT_EQ(d.size(), 1U);
  EXPECT_EQ(d[0].sql, "COMMENT ON TABLE app.t IS 'old';");
}

TEST(DriftCheckFile, DriftKeysAreParsedAndBadOnesRefused) {
  auto checks = check::parse_checks(
      "[[check]]\nname = \"d\"\nkind = \"drift\"\nto = 3\nignore = [\"app.tmp_*\"]\n"
      "comments = true\n",
      "checks.toml");
  ASSERT_EQ(checks.size(), 1U);
  EXPECT_EQ(checks[0].kind, check::CheckKind::drift);
  EXPECT_EQ(checks[0].to, 3);
  EXPECT_EQ(checks[0].ignore, std::vector<std::string>{"app.tmp_*"});
  EXPECT_TRUE(checks[0].comments);
  try {
    check::parse_checks("[[check]]\nname = \"d\"\nkind = \"drift\"\nignore = \"a[\"\n",
                        "checks.toml");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::input);
    EXPECT_EQ(e.headline(),
              "checks.toml:4:10: `ignore`: a[: `[` at character 2 is never closed by `]`");
  }
}

} // namespace
