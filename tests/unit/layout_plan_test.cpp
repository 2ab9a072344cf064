// Planning over other tools' layouts: a down script's problem stops only the down that runs it,
// `--to 0` reverts diesel's version 0 too.

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/migrate/history.h"
#include "core/migrate/layouts/layout.h"

using namespace preflight;

namespace {

std::vector<migrate::AppliedMigration> applied(const migrate::MigrationSet& set) {
  std::vector<migrate::AppliedMigration> history;
  for (const auto& m : set.all()) {
    history.push_back({m.version, m.description, "2026-01-01T00:00:00Z", true, m.checksum, 1});
  }
  return history;
}

TEST(LayoutPlan, BrokenDownScriptBlocksOnlyItsDown) {
  auto set =
      migrate::discover_layout(migrate::Layout::golang_migrate,
                               {{"m/1_a.up.sql", "1_a.up.sql", "CREATE TABLE a (id int);\n"},
                                {"m/1_drop_a.down.sql", "1_drop_a.down.sql", "DROP TABLE a a;\n"},
                                {"m/2_b.up.sql", "2_b.up.sql", "CREATE TABLE b (id int);\n"},
                                {"m/2_b.down.sql", "2_b.down.sql", "DROP TABLE b;\n"}});
  EXPECT_EQ(migrate::plan_up(set, {}, {}).size(), 2U);
  const auto history = applied(set);
  auto one = migrate::plan_down(set, history, {});
  ASSERT_EQ(one.size(), 1U);
  EXPECT_EQ(one[0]->version, 2);
  try {
    migrate::plan_down(set, history, {std::nullopt, 0});
    FAIL() << "reverted a migration whose down script does not parse";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::input);
    EXPECT_EQ(e.headline(),
              "m/1_drop_a.down.sql:1:14: SQL does not parse: syntax error at or near \"a\"");
  }
}

TEST(LayoutPlan, DownToZeroRevertsDieselVersionZero) {
  auto set = migrate::discover_layout(
      migrate::Layout::diesel,
      {{"m/00000000000000_diesel_initial_setup/up.sql",
        "00000000000000_diesel_initial_setup/up.sql", "SELECT 1;\n"},
       {"m/00000000000000_diesel_initial_setup/down.sql",
        "00000000000000_diesel_initial_setup/down.sql", "SELECT 1;\n"},
       {"m/2019-01-01-000000_a/up.sql", "2019-01-01-000000_a/up.sql", "CREATE TABLE a (id int);\n"},
       {"m/2019-01-01-000000_a/down.sql", "2019-01-01-000000_a/down.sql", "DROP TABLE a;\n"}});
  ASSERT_EQ(set.all().size(), 2U);
  auto plan = migrate::plan_down(set, applied(set), {std::nullopt, 0});
  ASSERT_EQ(plan.size(), 2U);
  EXPECT_EQ(plan[0]->version_text, "20190101000000");
  EXPECT_EQ(plan[1]->version, 0);
}

} // namespace
