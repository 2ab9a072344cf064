// Flyway's repeatable migrations: which runs count, which files run again, and what stops `up`.

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/migrate/repair.h"
#include "core/migrate/repeatable.h"

using namespace preflight;
using namespace preflight::migrate;

namespace {

NativeRow run_row(std::string description, std::int32_t checksum, bool success = true,
                  std::string type = "SQL") {
  NativeRow row{"", success};
  row.description = std::move(description);
  row.checksum = checksum;
  row.type = std::move(type);
  return row;
}

MigrationSet files_with(std::initializer_list<std::pair<const char*, std::int32_t>> repeatables) {
  std::vector<Migration> versioned(1);
  versioned[0].version = 1;
  std::vector<Migration> rs;
  for (const auto& [description, checksum] : repeatables) {
    Migration m;
    m.repeatable = true;
    m.description = description;
    m.up.path = std::string("R__") + description + ".sql";
    m.up.native_checksum = checksum;
    m.up.equivalent_checksum = checksum + 1000;
    rs.push_back(std::move(m));
  }
  return MigrationSet(std::move(versioned), std::move(rs));
}

std::string states(const std::vector<RepeatableEntry>& status) {
  std::string out;
  for (const auto& e : status) out += e.description + ":" + to_string(e.state) + " ";
  return out;
}

TEST(Repeatable, TheLatestRunOfEachDescriptionCountsAndDeleteForgetsEarlierOnes) {
  const std::vector<NativeRow> rows{{"1", true},
                                    run_row("views", 1),
                                    run_row("grants", 5),
                                    run_row("views", 2),
                                    run_row("grants", 0, true, "DELETE"),
                                    run_row("audit", 9, false)};
  const auto runs = flyway_repeatable_runs(rows);
  ASSERT_EQ(runs.size(), 2U);
  EXPECT_EQ(runs[0].description, "audit");
  EXPECT_FALSE(runs[0].success);
  EXPECT_EQ(runs[1].description, "views");
  EXPECT_EQ(runs[1].checksum, 2);
}

TEST(Repeatable, RunsWhenNewOrChangedAndNotWhenEitherChecksumMatches) {
  const auto files = files_with({{"a", 10}, {"b", 20}, {"c", 30}, {"d", 40}});
  std::vector<RepeatableRun> runs(3);
  runs[0].description = "a";
  runs[0].checksum = 10; // the checksum with placeholders replaced
  runs[1].description = "b";
  runs[1].checksum = 1020; // the file's own checksum: also a match
  runs[2].description = "c";
  runs[2].checksum = 31; // changed since
  const auto status = repeatable_status(files, runs);
  EXPECT_EQ(states(status), "a:applied b:applied c:outdated d:pending ");
  const auto plan = plan_repeatables(status);
  ASSERT_EQ(plan.size(), 2U);
  EXPECT_EQ(plan[0]->description, "c");
  EXPECT_EQ(plan[1]->description, "d");
}

TEST(Repeatable, AFailedRunOrAMissingFileStopsUpAndRepairRemovesTheFailedRow) {
  const auto files = files_with({{"a", 10}});
  std::vector<RepeatableRun> runs(2);
  runs[0].description = "a";
  runs[0].checksum = 10;
  runs[0].success = false;
  runs[1].description = "gone";
  runs[1].checksum = 7;
  const auto status = repeatable_status(files, runs);
  EXPECT_EQ(states(status), "a:failed gone:missing_file ");
  try {
    plan_repeatables(status);
    ADD_FAILURE() << "up would run past a failed repeatable";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::history);
    EXPECT_EQ(e.headline(), "repeatable migration \"a\" is recorded as failed (partially applied)");
    ASSERT_EQ(e.more().size(), 1U);
    EXPECT_EQ(e.more()[0].headline(),
              "repeatable migration \"gone\" was applied but its file is missing");
  }
  const auto actions = plan_repair({}, status);
  ASSERT_EQ(actions.size(), 1U);
  EXPECT_TRUE(actions[0].repeatable);
  EXPECT_EQ(describe(actions[0]), "remove the failed row of repeatable migration \"a\"; it will "
                                  "run again at the next `migrate up`");
}

} // namespace
