// Other tools' layouts as data: tests/cases/layout/<tool>/<case>/ holds a migrations folder (sub-
// folders too, for diesel) and `expected`: the detected layout, then every migration
// ("version|version as the tool writes it|description|up|down", with the down script's problem
// and dry-run refusals on indented lines) or every error line a user reads. A `layout` file in
// the case forces the layout instead of detecting it; tests/cases/layout/detect/ holds cases of
// detection alone. ENVSUB cases read GOOSE_TEST_SCHEMA=app.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "core/error.h"
#include "core/migrate/layouts/layout.h"
#include "support/case_files.h"

namespace fs = std::filesystem;
using namespace preflight;

namespace {

using preflight::testing::read_text;

std::string mode(const migrate::Script& script) {
  if (script.problem) return "cannot-run";
  return script.no_transaction ? "no-transaction" : "transaction";
}

std::string describe(const migrate::MigrationSet& set) {
  std::string out;
  for (const auto& m : set.all()) {
    out += std::to_string(m.version) + "|" + m.version_text + "|" + m.description + "|" +
           mode(m.up) + "|" + (m.down ? mode(*m.down) : "none") + "\n";
    if (m.up.dry_run_refusal) out += "  up dry run: " + m.up.dry_run_refusal->headline() + "\n";
    if (m.down && m.down->dry_run_refusal)
      out += "  down dry run: " + m.down->dry_run_refusal->headline() + "\n";
    if (m.down && m.down->problem) {
      out += "  down: " + m.down->problem->headline() + "\n";
      for (const auto& e : m.down->problem->more()) out += "  down: " + e.headline() + "\n";
    }
  }
  for (const auto& m : set.repeatables()) {
    out += "R|" + m.description + "|" + mode(m.up) + "|checksum " +
           std::to_string(m.up.native_checksum.value_or(0)) + "|file as it is " +
           std::to_string(m.up.equivalent_checksum.value_or(0)) + "\n";
    if (m.up.dry_run_refusal) out += "  up dry run: " + m.up.dry_run_refusal->headline() + "\n";
  }
  return out;
}

std::string describe(const Error& error) {
  std::string out = error.headline() + "\n";
  for (const auto& e : error.more()) out += e.headline() + "\n";
  return out;
}

std::vector<std::string> tool_case_names() {
  std::vector<std::string> names;
  for (const auto& tool : preflight::testing::case_names("layout")) {
    if (tool != "detect" && !migrate::layout_from_name(tool)) continue;
    for (const auto& name : preflight::testing::case_names("layout/" + tool)) {
      names.push_back(tool + "/" + name);
    }
  }
  return names;
}

class ToolLayoutCase : public ::testing::TestWithParam<std::string> {};

TEST_P(ToolLayoutCase, DetectsAndReadsAsTheToolDoes) {
  const fs::path dir = preflight::testing::case_path("layout", GetParam());
  std::vector<migrate::SourceFile> files;
  std::string forced;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const auto name = fs::relative(entry.path(), dir).generic_string();
    if (name == "expected") continue;
    if (name == "layout") {
      forced = read_text(entry.path());
      while (!forced.empty() && forced.back() == '\n') forced.pop_back();
      continue;
    }
    files.push_back({name, name, read_text(entry.path())});
  }
  std::sort(files.begin(), files.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  std::string actual;
  try {
    const auto layout =
        forced.empty() ? migrate::detect_layout(files) : *migrate::layout_from_name(forced);
    actual = "layout: " + std::string(migrate::layout_name(layout)) + "\n";
    migrate::LayoutOptions options;
    options.environment["GOOSE_TEST_SCHEMA"] = "app";
    actual += describe(migrate::discover_layout(layout, std::move(files), {}, options));
  } catch (const Error& e) {
    actual += describe(e);
  }
  EXPECT_EQ(actual, read_text(dir / "expected"));
}

INSTANTIATE_TEST_SUITE_P(Cases, ToolLayoutCase, ::testing::ValuesIn(tool_case_names()),
                         preflight::testing::CaseName());

// Every existing sqlx case folder is still detected as sqlx (or refused as sqlx refuses it).
TEST(LayoutDetection, SqlxCasesStaySqlx) {
  for (const auto& name : preflight::testing::case_names("layout")) {
    if (name == "detect" || migrate::layout_from_name(name)) continue;
    std::vector<migrate::SourceFile> files;
    for (const auto& entry :
         fs::directory_iterator(preflight::testing::case_path("layout", name))) {
      auto file = entry.path().filename().string();
      if (file != "expected") files.push_back({file, file, read_text(entry.path())});
    }
    if (name == "mismatched_pair" || name == "down_without_up") {
      // sqlx refuses these; golang-migrate reads them: detection says golang-migrate.
      EXPECT_EQ(migrate::detect_layout(files), migrate::Layout::golang_migrate) << name;
      continue;
    }
    EXPECT_EQ(migrate::detect_layout(files), migrate::Layout::sqlx) << name;
  }
}

TEST(LayoutNames, RoundTripAndAliases) {
  for (auto name : {"sqlx", "golang-migrate", "goose", "dbmate", "flyway", "diesel"}) {
    auto layout = migrate::layout_from_name(name);
    ASSERT_TRUE(layout) << name;
    EXPECT_EQ(migrate::layout_name(*layout), name);
  }
  EXPECT_EQ(migrate::layout_from_name("Flyway"), migrate::Layout::flyway);
  EXPECT_EQ(migrate::layout_from_name("golang_migrate"), migrate::Layout::golang_migrate);
  EXPECT_FALSE(migrate::layout_from_name("liquibase"));
}

} // namespace
