// Native history tables read into preflight's terms, and the numbers the tools compute: Flyway's
// checksum, golang-migrate's and Flyway's lock keys. Expected values were computed apart from
// this code (Python's zlib.crc32 over Java-style lines; Java's String.hashCode rule).

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/migrate/flyway_version.h"
#include "core/migrate/history.h"
#include "core/migrate/native_history.h"
#include "core/migrate/version_argument.h"

using namespace preflight;
using namespace preflight::migrate;

namespace {

MigrationSet files_of(std::initializer_list<std::int64_t> versions, std::string version_text = {}) {
  std::vector<Migration> ms;
  for (auto v : versions) {
    Migration m;
    m.version = v;
    m.description = "m" + std::to_string(v);
    m.version_text = version_text;
    m.up.path = "migrations/" + std::to_string(v) + ".sql";
    ms.push_back(std::move(m));
  }
  return MigrationSet(std::move(ms));
}

std::string summary(const std::vector<AppliedMigration>& rows) {
  std::string out;
  for (const auto& r : rows) {
    out += std::to_string(r.version) + (r.success ? "" : "!") + " ";
  }
  return out;
}

TEST(FlywayChecksum, IsTheCrc32OfTheLinesWithoutLineBreaksOrByteOrderMark) {
  EXPECT_EQ(flyway_checksum("-- ${flyway:filename}\nCREATE TABLE accounts (\n  id bigint PRIMARY "
                            "KEY,\n  email text NOT NULL\n);\n"),
            -1509642424);
  EXPECT_EQ(flyway_checksum("CREATE INDEX CONCURRENTLY accounts_email ON accounts (email);\n"),
            536559263);
  // CRLF, CR alone, a BOM and a trailing empty line count as Flyway's BufferedReader reads them.
  EXPECT_EQ(flyway_checksum("\xEF\xBB\xBF"
                            "a\r\nb\rc\n\n"),
            891568578);
  EXPECT_EQ(flyway_checksum_bytes(-1509642424), (Checksum{0xA6, 0x04, 0xAF, 0x48}));
}

TEST(NativeLockKeys, MatchTheToolsOwnComputation) {
  EXPECT_EQ(golang_migrate_lock_key("mydb", "public", "schema_migrations"), 2103762914);
  EXPECT_EQ(flyway_lock_key("public", "flyway_schema_history"), 77433833903597);
}

TEST(NativeApplied, GolangMigrateVersionCoversEveryOlderFileAndDirtyFails) {
  auto files = files_of({1, 2, 5});
  EXPECT_EQ(summary(native_applied(HistoryKind::golang_migrate, files, {})), "");
  EXPECT_EQ(summary(native_applied(HistoryKind::golang_migrate, files, {{"2", false}})), "1 2 ");
  EXPECT_EQ(summary(native_applied(HistoryKind::golang_migrate, files, {{"5", true}})), "1 2 5! ");
  // A version with no file (golang-migrate refuses it too) and the dirty nil version.
  EXPECT_EQ(summary(native_applied(HistoryKind::golang_migrate, files, {{"3", false}})), "1 2 3 ");
  EXPECT_EQ(summary(native_applied(HistoryKind::golang_migrate, files, {{"-1", true}})), "-1! ");
  auto status =
      compute_status(files, native_applied(HistoryKind::golang_migrate, files, {{"3", false}}));
  EXPECT_EQ(to_string(status[2].state), "missing_file");
  EXPECT_EQ(to_string(status[3].state), "pending");
}

TEST(NativeApplied, GooseTakesTheNewestRowOfEachVersionAndSkipsVersionZero) {
  auto files = files_of({1, 2, 3});
  std::vector<NativeRow> rows{{"0", true}, {"1", true}, {"2", true}, {"2", false}, {"3", true}};
  EXPECT_EQ(summary(native_applied(HistoryKind::goose, files, rows)), "1 3 ");
}

TEST(NativeApplied, DieselAndDbmateMatchFilesByTheirVersionText) {
  auto files = files_of({201711221234560000}, "201711221234560000");
  auto rows = native_applied(HistoryKind::diesel, files, {{"201711221234560000"}});
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0].description, "m201711221234560000");
  EXPECT_EQ(rows[0].recorded, RecordedChecksum::none);
  // A short diesel version with no file is padded as the layout pads it.
  EXPECT_EQ(summary(native_applied(HistoryKind::diesel, files, {{"20190101000000"}})),
            "201901010000000000 ");
  auto dbmate = files_of({7}, "007");
  EXPECT_EQ(native_applied(HistoryKind::dbmate, dbmate, {{"007"}})[0].description, "m7");
  EXPECT_THROW(native_applied(HistoryKind::dbmate, dbmate, {{"x1"}}), Error);
}

TEST(NativeApplied, FlywayUndoTakesBackAndBaselineCoversOlderFiles) {
  auto files = files_of({1, 2, 3, 4});
  NativeRow baseline{"2", true};
  baseline.type = "BASELINE";
  NativeRow v3{"3", true};
  v3.type = "SQL";
  v3.checksum = 42;
  NativeRow v4{"4", true};
  v4.type = "SQL";
  NativeRow undo4{"4", true};
  undo4.type = "UNDO_SQL";
  NativeRow schema{"", true};
  schema.type = "SCHEMA";
  auto rows = native_applied(HistoryKind::flyway, files, {schema, baseline, v3, v4, undo4});
  EXPECT_EQ(summary(rows), "1 2 3 ");
  EXPECT_EQ(rows[0].recorded, RecordedChecksum::none);
  EXPECT_EQ(rows[2].recorded, RecordedChecksum::flyway);
  EXPECT_EQ(recorded_checksum_text(rows[2]), "42");
  NativeRow failed{"4", false};
  failed.type = "SQL";
  EXPECT_EQ(summary(native_applied(HistoryKind::flyway, files, {failed})), "4! ");
}

// A folder with dotted versions, keyed by rank as layouts/flyway.cpp keys it.
MigrationSet dotted_files(std::initializer_list<const char*> versions) {
  std::vector<Migration> ms;
  std::int64_t rank = 0;
  for (const char* text : versions) {
    Migration m;
    m.version = ++rank * k_flyway_rank_step;
    m.version_text = text;
    m.description = std::string("m") + text;
    m.up.path = std::string("migrations/V") + text + "__m.sql";
    ms.push_back(std::move(m));
  }
  return MigrationSet(std::move(ms));
}

NativeRow flyway_row(std::string version, bool success = true) {
  NativeRow row{std::move(version), success};
  row.type = "SQL";
  return row;
}

TEST(NativeApplied, FlywayDottedVersionsMatchAsFlywayComparesAndUnknownOnesFallBetween) {
  const auto files = dotted_files({"1", "1.1", "1.10", "2"});
  ASSERT_TRUE(flyway_ranked(files));
  // 1.1.0 is 1.1; 1.2 and 1.3 have no file: between 1.1 and 1.10, in Flyway's order.
  auto rows =
      native_applied(HistoryKind::flyway, files,
                     {flyway_row("1"), flyway_row("1.3"), flyway_row("1.1.0"), flyway_row("1.2")});
  ASSERT_EQ(rows.size(), 4U);
  EXPECT_EQ(rows[0].version, k_flyway_rank_step);
  EXPECT_EQ(rows[1].version, 2 * k_flyway_rank_step);
  EXPECT_EQ(rows[1].description, "m1.1");
  EXPECT_EQ(rows[2].version_text, "1.2");
  EXPECT_EQ(rows[3].version_text, "1.3");
  EXPECT_LT(rows[2].version, rows[3].version);
  EXPECT_LT(rows[3].version, 3 * k_flyway_rank_step);

  const auto status = compute_status(files, rows);
  ASSERT_EQ(status.size(), 6U);
  EXPECT_EQ(status[2].shown_version(), "1.2");
  EXPECT_EQ(to_string(status[2].state), "missing_file");
  EXPECT_EQ(status[4].shown_version(), "1.10");
  EXPECT_EQ(to_string(status[4].state), "pending");
  EXPECT_EQ(history_problems(status).front().headline(),
            "migration 1.2 () was applied but its file is missing");
}

TEST(VersionArgument, TakesTheVersionAsTheToolWritesIt) {
  const auto dotted = dotted_files({"1", "1.1", "1.10", "2"});
  EXPECT_EQ(version_argument(dotted, Layout::flyway, "1.10", "--to"), 3 * k_flyway_rank_step);
  EXPECT_EQ(version_argument(dotted, Layout::flyway, "1_1_0", "--to"), 2 * k_flyway_rank_step);
  EXPECT_EQ(version_argument(dotted, Layout::flyway, "0", "--to"), 0);
  try {
    version_argument(dotted, Layout::flyway, "1.5", "--to");
    ADD_FAILURE() << "a version no file has was taken";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
    EXPECT_EQ(e.headline(), "--to 1.5: no migration has this version");
  }
  // Elsewhere a number is a number, and diesel's version text finds its padded key.
  const auto plain = files_of({1, 2});
  EXPECT_EQ(version_argument(plain, Layout::sqlx, "2", "--to"), 2);
  EXPECT_EQ(version_argument(plain, Layout::sqlx, "7", "--to"), 7); // the planner refuses it
  EXPECT_THROW(version_argument(plain, Layout::sqlx, "1.2", "--to"), Error);
  const auto diesel = files_of({201901010000000000}, "20190101000000");
  EXPECT_EQ(version_argument(diesel, Layout::diesel, "20190101000000", "--to"), 201901010000000000);
}

TEST(SqlxHistory, RefusesADottedFlywayFolder) {
  EXPECT_NO_THROW(refuse_unkeyable_in_sqlx_history(files_of({1, 2}, "")));
  try {
    refuse_unkeyable_in_sqlx_history(dotted_files({"1", "1.1"}));
    ADD_FAILURE() << "a dotted folder was keyed in _sqlx_migrations";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::input);
    EXPECT_NE(e.headline().find("Flyway version 1.1 has more than one number"), std::string::npos)
        << e.headline();
  }
}

TEST(NativeApplied, AChecksumlessRowIsAppliedWhateverTheFileHolds) {
  auto files = files_of({1});
  auto status = compute_status(files, native_applied(HistoryKind::dbmate, files, {{"1"}}));
  EXPECT_EQ(to_string(status[0].state), "applied");
  EXPECT_TRUE(history_problems(status).empty());
}

} // namespace
