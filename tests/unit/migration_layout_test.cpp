// Layout cases are folders under tests/cases/layout/: migration files plus `expected`, either
// the discovered migrations ("version|description|kind|transaction") or, for a rejected
// folder, every error line a user reads ("file[:line:col]: message").

#include <gtest/gtest.h>

#include <filesystem>

#include "core/error.h"
#include "core/migrate/layouts/layout.h"
#include "core/migrate/migration_set.h"
#include "support/case_files.h"

namespace fs = std::filesystem;
using namespace preflight;

namespace {

using preflight::testing::read_text;

std::string describe(const migrate::MigrationSet& set) {
  std::string out;
  for (const auto& m : set.all()) {
    out += std::to_string(m.version) + "|" + m.description + "|" +
           (m.reversible ? "reversible" : "simple") + "|" +
           (m.up.no_transaction ? "no-transaction" : "transaction") + "\n";
  }
  return out;
}

std::string describe(const Error& error) {
  std::string out = error.headline() + "\n";
  for (const auto& e : error.more()) out += e.headline() + "\n";
  return out;
}

class LayoutCase : public ::testing::TestWithParam<std::string> {};

TEST_P(LayoutCase, DiscoversOrRejectsAsExpected) {
  const fs::path dir = preflight::testing::case_path("layout", GetParam());
  std::vector<migrate::SourceFile> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    auto name = entry.path().filename().string();
    if (name == "expected") continue;
    files.push_back({name, name, read_text(entry.path())});
  }
  std::string actual;
  try {
    actual = describe(migrate::discover_migrations(files));
  } catch (const Error& e) {
    actual = describe(e);
  }
  EXPECT_EQ(actual, read_text(dir / "expected"));
}

// Folders named after another tool (and detect/) hold that layout's cases: layout_cases_test.cpp.
std::vector<std::string> sqlx_case_names() {
  std::vector<std::string> names;
  for (auto& name : preflight::testing::case_names("layout")) {
    if (name != "detect" && !migrate::layout_from_name(name)) names.push_back(name);
  }
  return names;
}

INSTANTIATE_TEST_SUITE_P(Cases, LayoutCase, ::testing::ValuesIn(sqlx_case_names()),
                         preflight::testing::CaseName());

} // namespace

namespace {

// A file name cannot live in a case folder portably: built here. Names end up in the history
// table, JSON and SQL literals, so a name that is not UTF-8 is refused before anything runs.
TEST(LayoutFileName, NotUtf8IsRejectedWithTheBadByteEscaped) {
  const std::vector<migrate::SourceFile> files{
      {"m/0001_a.sql", "0001_a.sql", "SELECT 1;\n"},
      {"m/0005_\xff"
       "bad.sql",
       "0005_\xff"
       "bad.sql",
       "SELECT 1;\n"},
      {"m/0006_caf\xc3\xa9\xc3.sql", "0006_caf\xc3\xa9\xc3.sql", "SELECT 1;\n"}};
  try {
    migrate::discover_migrations(files);
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::input);
    EXPECT_EQ(describe(e), "m/0005_\\xffbad.sql: file name is not valid UTF-8\n"
                           "m/0006_caf\xc3\xa9\\xc3.sql: file name is not valid UTF-8\n");
    EXPECT_EQ(e.hint(), "rename the file using UTF-8 characters only");
  }
}

} // namespace

namespace {

// sqlx's checksum is over the file's bytes as read; what is parsed and run starts after the
// byte order mark, so that the first statement and the -- no-transaction directive are seen.
TEST(LayoutByteOrderMark, IsSkippedForRunningButKeptInTheChecksum) {
  const std::string bytes = "\xef\xbb\xbf-- no-transaction\nselect 1;\n";
  auto set = migrate::discover_migrations({{"m/0001_bom.sql", "0001_bom.sql", bytes}});
  ASSERT_EQ(set.all().size(), 1U);
  EXPECT_EQ(set.all()[0].up.sql, "-- no-transaction\nselect 1;\n");
  EXPECT_TRUE(set.all()[0].up.no_transaction);
  EXPECT_EQ(set.all()[0].checksum, migrate::sha384(bytes));
}

} // namespace
