// The migrate commands end to end: the real binary against a real PostgreSQL. (Scenarios that
// are files, runs and SQL assertions are data: tests/cases/cli/migrate/*.case.)

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "support/test_cluster.h"

using namespace preflight::testing;

namespace {

// status and verify read large folders on several threads: the problems must still be named
// file by file, all at once, in file-name order, exactly as for a small folder.
TEST(MigrateCli, LargeFolderIsReadWholeAndItsProblemsReportedInOrder) {
  TestDatabase db;
  auto dir = make_temp_dir();
  for (int i = 1; i <= 1500; ++i) {
    write_file(fmt::format("{}/{:04}_t_{}.sql", dir, i, i),
               fmt::format("CREATE TABLE t_{} (id int);\n", i));
  }
  auto baseline = run_preflight(
      {"migrate", "baseline", "1500", "--database-url", db.conninfo(), "--source", dir});
  ASSERT_EQ(baseline.exit_code, 0) << baseline.err;
  auto verified =
      run_preflight({"migrate", "verify", "--database-url", db.conninfo(), "--source", dir});
  EXPECT_EQ(verified.exit_code, 0) << verified.err;
  EXPECT_EQ(verified.out, "verified: 1500 applied migrations match their files\n");

  // Edited files far apart in the folder: both named, with the checksums PostgreSQL computes.
  write_file(dir + "/0007_t_7.sql", "CREATE TABLE t_7 (id bigint);\n");
  write_file(dir + "/1499_t_1499.sql", "CREATE TABLE t_1499 (id bigint);\n");
  auto edited =
      run_preflight({"migrate", "verify", "--database-url", db.conninfo(), "--source", dir});
  EXPECT_EQ(edited.exit_code, 3);
  auto hex = [&](const std::string& text) {
    return db.scalar("SELECT encode(sha384(convert_to('" + text + "', 'UTF8')), 'hex')");
  };
  EXPECT_EQ(
      edited.err,
      fmt::format(
          "preflight: error: migration 7 (t 7) was edited after it was applied: recorded checksum "
          "{}, "
          "file {}/0007_t_7.sql has {}\n"
          "hint: restore the applied version of the file, or run `preflight migrate repair` to "
          "record "
          "the new checksum if the edit is intended\n"
          "preflight: 1 more problem:\n"
          "  migration 1499 (t 1499) was edited after it was applied: recorded checksum {}, file "
          "{}/1499_t_1499.sql has {}\n"
          "    hint: restore the applied version of the file, or run `preflight migrate repair` to "
          "record the new checksum if the edit is intended\n",
          hex("CREATE TABLE t_7 (id int);\n"), dir, hex("CREATE TABLE t_7 (id bigint);\n"),
          hex("CREATE TABLE t_1499 (id int);\n"), dir, hex("CREATE TABLE t_1499 (id bigint);\n")));

  // Bad files anywhere in the folder: every one named, nothing read from the database.
  write_file(dir + "/1200_t_1200.sql", "SELECT '\xE9';\n");
  write_file(dir + "/0300_t_300.sql", "-- nothing\n");
  auto bad = run_preflight({"migrate", "status", "--database-url", db.conninfo(), "--source", dir});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(
      bad.err,
      fmt::format("preflight: error: {0}/0300_t_300.sql: migration is empty (no SQL statement)\n"
                  "preflight: 1 more problem:\n"
                  "  {0}/1200_t_1200.sql:1:9: file is not valid UTF-8 (byte 0xE9)\n"
                  "    hint: save the file as UTF-8\n",
                  dir));
}

// The history is read in PostgreSQL's binary format; installed_on must read as the server's
// to_char(… AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') prints it, whatever the client's
// time zone or date style.
TEST(MigrateCli, InstalledOnReadsAsTheServerPrintsItInUtc) {
  TestDatabase db;
  auto dir = make_temp_dir();
  for (int i = 1; i <= 7; ++i)
    write_file(fmt::format("{}/{:04}_t_{}.sql", dir, i, i), "SELECT 1;\n");
  ASSERT_EQ(
      run_preflight({"migrate", "baseline", "7", "--database-url", db.conninfo(), "--source", dir})
          .exit_code,
      0);
  const char* times[] = {"2026-01-17 12:00:00.999999+05",
                         "1969-12-31 23:59:59.5+00",
                         "2000-02-29 00:00:00+00",
                         "0044-03-15 12:00:00+00 BC",
                         "12345-06-07 08:09:10+00",
                         "infinity",
                         "-infinity"};
  for (int i = 0; i < 7; ++i) {
    db.scalar(fmt::format("WITH u AS (UPDATE _sqlx_migrations SET installed_on = '{}' WHERE "
                          "version = {} RETURNING 1) "
                          "SELECT count(*) FROM u",
                          times[i], i + 1));
  }
  auto r = run_preflight(
      {"migrate", "status", "--format", "json", "--database-url", db.conninfo(), "--source", dir},
      {}, {"PGTZ=America/New_York", "PGDATESTYLE=SQL, DMY"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> installed;
  const auto status = nlohmann::json::parse(r.out);
  for (const auto& m : status.at("migrations")) installed.push_back(m.at("installed_on").dump());
  EXPECT_EQ(installed,
            (std::vector<std::string>{R"("2026-01-17T07:00:00Z")", R"("1969-12-31T23:59:59Z")",
                                      R"("2000-02-29T00:00:00Z")", R"("0044-03-15T12:00:00Z")",
                                      R"("12345-06-07T08:09:10Z")", R"("")", R"("")"}))
      << r.out;
}

} // namespace

namespace {

TEST(MigrateCli, FileNameThatIsNotUtf8IsRefusedBeforeAnythingRuns) {
  TestDatabase db;
  auto dir = make_temp_dir();
  write_file(dir + "/0001_a.sql", "CREATE TABLE a (id int);\n");
  write_file(dir + "/0005_\xff"
                   "bad.sql",
             "CREATE TABLE b (id int);\n");
  for (auto args : {std::vector<std::string>{"migrate", "status", "--format", "json"},
                    std::vector<std::string>{"migrate", "up", "--dry-run"},
                    std::vector<std::string>{"migrate", "up"}}) {
    args.insert(args.end(), {"--database-url", db.conninfo(), "--source", dir});
    auto r = run_preflight(args);
    EXPECT_EQ(r.exit_code, 2) << args[1] << ": " << r.err;
    EXPECT_EQ(r.err, "preflight: error: " + dir +
                         "/0005_\\xffbad.sql: file name is not valid UTF-8\n"
                         "hint: rename the file using UTF-8 characters only\n")
        << args[1];
  }
  EXPECT_EQ(db.scalar("SELECT to_regclass('_sqlx_migrations') IS NULL"), "t");
  EXPECT_EQ(db.scalar("SELECT to_regclass('a') IS NULL"), "t");
}

} // namespace

namespace {

// --format json is one document on stdout, with or without --trace-locks.
TEST(MigrateCli, UpAndDownWithFormatJsonPrintOneDocumentWithTheSteps) {
  TestDatabase db;
  auto dir = make_temp_dir();
  write_file(dir + "/0001_a.up.sql", "CREATE TABLE a (id int);\n");
  write_file(dir + "/0001_a.down.sql", "DROP TABLE a;\n");
  write_file(dir + "/0002_b.sql", "CREATE TABLE b (id int);\n");
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.end(), {"--format", "json", "--database-url", db.conninfo(), "--source", dir});
    return run_preflight(args);
  };
  auto up = run({"migrate", "up", "--to", "1"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  auto doc = nlohmann::json::parse(up.out);
  ASSERT_EQ(doc["steps"].size(), 1U) << up.out;
  EXPECT_EQ(doc["steps"][0]["version"], 1);
  EXPECT_EQ(doc["steps"][0]["direction"], "up");
  EXPECT_EQ(doc["steps"][0]["outcome"], "applied");
  EXPECT_FALSE(doc.contains("lock_trace"));

  auto down = run({"migrate", "down"});
  ASSERT_EQ(down.exit_code, 0) << down.err;
  doc = nlohmann::json::parse(down.out);
  EXPECT_EQ(doc["steps"][0]["outcome"], "reverted") << down.out;

  auto nothing = run({"migrate", "down"});
  ASSERT_EQ(nothing.exit_code, 0) << nothing.err;
  EXPECT_EQ(nlohmann::json::parse(nothing.out), nlohmann::json::parse(R"({"steps": []})"));

  // A failed run: the document on stdout, the error on stderr, exit 1.
  write_file(dir + "/0003_c.sql", "INSERT INTO missing VALUES (1);\n");
  auto failed = run({"migrate", "up"});
  EXPECT_EQ(failed.exit_code, 1) << failed.err;
  doc = nlohmann::json::parse(failed.out);
  ASSERT_EQ(doc["steps"].size(), 3U) << failed.out;
  EXPECT_EQ(doc["steps"][2]["outcome"], "failed");
  EXPECT_NE(failed.err.find("0003_c.sql:1:13: migration 3 (c) failed"), std::string::npos)
      << failed.err;
}

} // namespace

namespace {} // namespace
