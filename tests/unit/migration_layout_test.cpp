// Layout cases are folders under tests/cases/layout/: migration files plus `expected`, either
// the discovered migrations ("version|description|kind|transaction") or, for a rejected
// folder, every error line a user reads ("file[:line:col]: message").

#include <gtest/gtest.h>

#include <filesystem>

#include "core/error.h"
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

INSTANTIATE_TEST_SUITE_P(Cases, LayoutCase,
                         ::testing::ValuesIn(preflight::testing::case_names("layout")),
                         preflight::testing::CaseName());

} // namespace
