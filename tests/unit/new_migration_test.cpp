#include <gtest/gtest.h>

#include "core/error.h"
#include "core/migrate/baseline.h"
#include "core/migrate/new_migration.h"

using namespace preflight;
using namespace preflight::migrate;

using Names = std::vector<std::string>;

TEST(NewMigration, SequentialKeepsTheZeroPaddedWidth) {
  auto created = plan_new_migration(
      {"0001_schema.up.sql", "0001_schema.down.sql", "0003_seed.sql", "README.md"},
      "Add users' email INDEX!", false, "20260117120000");
  EXPECT_EQ(created.version, "0004");
  EXPECT_EQ(created.names, (Names{"0004_add_users_email_index.sql"}));
}

TEST(NewMigration, ReversibleCreatesUpAndDown) {
  auto created = plan_new_migration({"9_x.sql"}, "drop-old", true, "20260117120000");
  EXPECT_EQ(created.names, (Names{"10_drop_old.up.sql", "10_drop_old.down.sql"}));
}

TEST(NewMigration, TimestampsFollowTimestampsAndEmptyFolders) {
  EXPECT_EQ(plan_new_migration({"20250101000000_a.sql"}, "b", false, "20260117120000").version,
            "20260117120000");
  EXPECT_EQ(plan_new_migration({}, "first", false, "20260117120000").names,
            (Names{"20260117120000_first.sql"}));
  EXPECT_EQ(plan_new_migration({"notes.txt", "nounderscore.sql"}, "first", false, "20260117120000")
                .version,
            "20260117120000");
}

TEST(NewMigration, TimestampNeverGoesBackwards) {
  // A clock behind the newest file (another machine's clock, a future-dated file) must still
  // produce the newest version, or the new migration would be pending out of order.
  EXPECT_EQ(plan_new_migration({"20300101000000_future.sql"}, "b", false, "20260117120000").version,
            "20300101000001");
}

TEST(NewMigration, NameWithoutLettersOrDigitsIsAUsageError) {
  try {
    plan_new_migration({}, "--- !", false, "20260117120000");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
    EXPECT_EQ(e.message(),
              "migration name \"--- !\" has no letters or digits usable in a file name");
  }
}

TEST(NewMigration, SanitiseCollapsesAndTrims) {
  EXPECT_EQ(sanitize_migration_name("  Créer la Table__Users  "), "creer_la_table_users");
  EXPECT_EQ(sanitize_migration_name("already_fine_2"), "already_fine_2");
}

namespace {
MigrationSet three() {
  std::vector<Migration> ms;
  for (std::int64_t v : {1, 2, 5}) {
    Migration m;
    m.version = v;
    m.description = "m" + std::to_string(v);
    m.up = {std::to_string(v) + "_m.sql", "SELECT 1", false};
    m.checksum = sha384(m.up.sql);
    ms.push_back(m);
  }
  return MigrationSet(ms);
}
} // namespace

TEST(Baseline, RecordsEveryMigrationUpToTheVersion) {
  auto files = three();
  auto plan = plan_baseline(files, {}, 2);
  ASSERT_EQ(plan.size(), 2U);
  EXPECT_EQ(plan[0]->version, 1);
  EXPECT_EQ(plan[1]->version, 2);
}

TEST(Baseline, UnknownVersionIsAUsageError) {
  auto files = three();
  try {
    plan_baseline(files, {}, 3);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(exit_code(e.kind()), 2);
    EXPECT_EQ(e.message(), "baseline 3: no migration has this version");
  }
}

TEST(Baseline, RefusesAnExistingHistory) {
  auto files = three();
  AppliedMigration row;
  row.version = 1;
  try {
    plan_baseline(files, {row}, 2);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(exit_code(e.kind()), 3);
    EXPECT_EQ(e.message(), "baseline refused: the history already has 1 row (newest: version 1)");
  }
}

TEST(NewMigration, LatinLettersWithAccentsAreSpelledInAscii) {
  EXPECT_EQ(sanitize_migration_name("Ünïcode Näme!!"), "unicode_name");
  EXPECT_EQ(sanitize_migration_name("ÄÖÜ straße"), "aou_strasse");
  EXPECT_EQ(sanitize_migration_name("Œuvre × Łódź"), "oeuvre_lodz");
  // Other scripts and symbols separate words; what is left must still name the migration.
  EXPECT_EQ(sanitize_migration_name("add ключ index…"), "add_index");
  try {
    sanitize_migration_name("Создать");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
    EXPECT_EQ(e.message(),
              "migration name \"Создать\" has no letters or digits usable in a file name");
  }
}

TEST(NewMigration, NoVersionAfterTheLargestIsAnInputError) {
  try {
    plan_new_migration({"9223372036854775807_max.sql"}, "over", false, "20260117120000");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::input);
    EXPECT_EQ(e.message(), "the newest migration has version 9223372036854775807, the largest a "
                           "version can be: there is no next version");
  }
  EXPECT_EQ(
      plan_new_migration({"9223372036854775806_x.sql"}, "last", false, "20260117120000").version,
      "9223372036854775807");
}

TEST(NewMigration, FileNameLongerThanFileSystemsAllowIsAUsageError) {
  // 0002_ + 246 letters + .sql = 255 bytes: the longest name that can be created.
  EXPECT_EQ(plan_new_migration({"0001_a.sql"}, std::string(246, 'a'), false, "20260117120000")
                .names.front()
                .size(),
            255U);
  try {
    plan_new_migration({"0001_a.sql"}, std::string(242, 'a'), true, "20260117120000");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
    EXPECT_EQ(e.message(),
              "migration name is too long: the file name would have 256 bytes, file systems "
              "allow 255");
    EXPECT_EQ(e.hint(), "shorten the name to at most 241 letters");
  }
}

// Each layout gets the names and first text its own tool's "create" command writes, and every
// file it creates is read back by that layout as one migration (tests/integration: CLI case
// migrate/new_in_each_layout).
TEST(NewMigration, EachLayoutNamesFilesAsItsTool) {
  const std::string now = "20260117120000";
  auto golang = plan_new_migration({"000001_a.up.sql", "000001_a.down.sql"}, "b", false, now,
                                   Layout::golang_migrate);
  EXPECT_EQ(golang.names, (Names{"000002_b.up.sql", "000002_b.down.sql"}));

  auto goose = plan_new_migration({"00001_a.sql"}, "b", false, now, Layout::goose);
  EXPECT_EQ(goose.names, (Names{"00002_b.sql"}));
  EXPECT_EQ(goose.texts[0], "-- +goose Up\n-- b: write the migration's SQL here\n\n-- +goose Down\n"
                            "-- Revert b: write the SQL that undoes the Up section here\n");

  // dbmate always takes the time, even after counters.
  auto dbmate = plan_new_migration({"1_a.sql"}, "b", false, now, Layout::dbmate);
  EXPECT_EQ(dbmate.names, (Names{"20260117120000_b.sql"}));
  EXPECT_EQ(dbmate.texts[0].rfind("-- migrate:up\n", 0), 0U) << dbmate.texts[0];
  EXPECT_NE(dbmate.texts[0].find("\n-- migrate:down\n"), std::string::npos) << dbmate.texts[0];

  auto flyway = plan_new_migration({"V1__a.sql", "V2__b.sql", "U2__b.sql", "R__view.sql"}, "Add C",
                                   true, now, Layout::flyway);
  EXPECT_EQ(flyway.names, (Names{"V3__add_c.sql", "U3__add_c.sql"}));
  EXPECT_EQ(plan_new_migration({}, "first", false, now, Layout::flyway).names,
            (Names{"V1__first.sql"}));
  // After a dotted version, the next whole number in Flyway's order (2.10 is newer than 2.9).
  EXPECT_EQ(plan_new_migration({"V1__a.sql", "V2.9__b.sql", "V2_10__c.sql"}, "d", false, now,
                               Layout::flyway)
                .names,
            (Names{"V3__d.sql"}));
  EXPECT_EQ(plan_new_migration({"V1.1__a.sql"}, "b", false, now, Layout::flyway).names,
            (Names{"V2__b.sql"}));

  auto diesel = plan_new_migration({"2025-01-01-000000_a/up.sql", "2025-01-01-000000_a/down.sql"},
                                   "b", false, now, Layout::diesel);
  EXPECT_EQ(diesel.names, (Names{"2026-01-17-120000_b/up.sql", "2026-01-17-120000_b/down.sql"}));
  EXPECT_EQ(diesel.texts.size(), diesel.names.size());
}
