// `migrate adopt`: another tool's history converted into _sqlx_migrations in one transaction,
// with the plan printed; dirty and failed entries stop it (exit 3) unless --force.

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "support/case_files.h"
#include "support/test_cluster.h"

using namespace preflight::testing;

namespace {

std::string line(const char* what, int version, const std::string& rest) {
  return fmt::format("  {:<8} {:>14}  {}\n", what, version, rest);
}

TEST(MigrateAdopt, ConvertsGolangMigratesHistoryWithTheFilesChecksums) {
  TestDatabase db;
  const std::string migrations =
      (case_path("layout_corpus", "golang-migrate") / "migrations").string();
  auto on = [&](std::vector<std::string> a) {
    a.insert(a.end(), {"--database-url", db.conninfo(), "--source", migrations});
    return a;
  };
  ASSERT_EQ(run_preflight(on({"migrate", "up", "--to", "4"})).exit_code, 0);
  ASSERT_EQ(db.scalar("SELECT version || '|' || dirty FROM schema_migrations"), "4|false");

  auto dry = run_preflight(on({"migrate", "adopt", "--dry-run"}));
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  const std::string plan =
      fmt::format("golang-migrate's schema_migrations against the files of {}:\n", migrations) +
      line("matched", 1, "create accounts") + line("matched", 2, "nothing") +
      line("matched", 3, "audit in own transaction") + line("matched", 4, "index email") +
      line("pending", 5, "enum (not applied there: left for `preflight migrate up`)");
  EXPECT_EQ(dry.out, plan + "Dry run: 4 migrations would be recorded in _sqlx_migrations; "
                            "nothing was changed.\n");
  EXPECT_EQ(db.scalar("SELECT to_regclass('_sqlx_migrations') IS NULL"), "t");

  auto adopt = run_preflight(on({"migrate", "adopt"}));
  ASSERT_EQ(adopt.exit_code, 0) << adopt.err;
  EXPECT_EQ(adopt.out, plan + "Adopted: 4 migrations recorded in _sqlx_migrations; "
                              "golang-migrate's schema_migrations is left as it was, and "
                              "preflight now uses _sqlx_migrations (unless history = "
                              "\"native\").\n");
  EXPECT_EQ(db.scalar("SELECT string_agg(version || ':' || success, ',' ORDER BY version) FROM "
                      "_sqlx_migrations"),
            "1:true,2:true,3:true,4:true");
  // sqlx's checksums of the files: verify compares them now.
  auto verify = run_preflight(on({"migrate", "verify"}));
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_EQ(verify.out, "verified: 4 applied migrations match their files\n");
  auto up = run_preflight(on({"migrate", "up"}));
  EXPECT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(db.scalar("SELECT count(*) FROM _sqlx_migrations"), "5");
  EXPECT_EQ(db.scalar("SELECT version || '|' || dirty FROM schema_migrations"), "4|false");
  // Adopting twice is refused: the history has started.
  auto again = run_preflight(on({"migrate", "adopt"}));
  EXPECT_EQ(again.exit_code, 3) << again.err;
  EXPECT_EQ(again.err, "preflight: error: _sqlx_migrations already has 5 rows: adopt only starts "
                       "preflight's history\nhint: this database was adopted already; "
                       "`preflight migrate status` shows its history\n");
}

TEST(MigrateAdopt, ADirtyVersionStopsItUnlessForced) {
  TestDatabase db;
  auto dir = make_temp_dir();
  write_file(dir + "/1_a.up.sql", "CREATE TABLE a (id int);\n");
  write_file(dir + "/1_a.down.sql", "");
  write_file(dir + "/2_b.up.sql", "CREATE TABLE b (id int);\n");
  write_file(dir + "/3_c.up.sql", "CREATE TABLE c (id int);\n");
  db.connect()->exec("CREATE TABLE schema_migrations (version bigint not null primary key, dirty "
                     "boolean not null); INSERT INTO schema_migrations VALUES (2, true)");
  auto on = [&](std::vector<std::string> a) {
    a.insert(a.end(), {"--database-url", db.conninfo(), "--source", dir});
    return a;
  };
  const std::string plan =
      fmt::format("golang-migrate's schema_migrations against the files of {}:\n", dir) +
      line("matched", 1, "a");
  auto stopped = run_preflight(on({"migrate", "adopt"}));
  EXPECT_EQ(stopped.exit_code, 3);
  EXPECT_EQ(stopped.out, plan +
                             line("failed", 2, "b (cannot be mapped: recorded there as failed)") +
                             line("pending", 3,
                                  "c (not applied there: left for `preflight "
                                  "migrate up`)"));
  EXPECT_EQ(stopped.err,
            "preflight: error: migrate adopt stopped: 1 entry of golang-migrate's "
            "schema_migrations cannot be converted as it is (listed above); nothing was "
            "changed\nhint: restore missing files and fix failed migrations with the tool first, "
            "or pass --force: failed ones are recorded as failed (`preflight migrate repair` "
            "after a fix by hand), edited ones with the checksum of the file as it is now, and "
            "missing ones are left out\n");
  EXPECT_EQ(db.scalar("SELECT to_regclass('_sqlx_migrations') IS NULL"), "t");

  auto forced = run_preflight(on({"migrate", "adopt", "--force"}));
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_NE(forced.out.find(line("failed", 2,
                                 "b (recorded as failed: fix by hand, then `preflight migrate "
                                 "repair`)")),
            std::string::npos)
      << forced.out;
  EXPECT_EQ(db.scalar("SELECT string_agg(version || ':' || success, ',' ORDER BY version) FROM "
                      "_sqlx_migrations"),
            "1:true,2:false");
  // preflight's failed state blocks up until repair, as golang-migrate's dirty flag did.
  EXPECT_EQ(run_preflight(on({"migrate", "up"})).exit_code, 3);
}

TEST(MigrateAdopt, AFailedFlywayRowAndAMissingFileStopItUnlessForced) {
  TestDatabase db;
  auto dir = make_temp_dir();
  write_file(dir + "/V1__a.sql", "CREATE TABLE a (id int);\n");
  write_file(dir + "/V2__b.sql", "CREATE TABLE b (id int);\n");
  auto on = [&](std::vector<std::string> a) {
    a.insert(a.end(), {"--database-url", db.conninfo(), "--source", dir});
    return a;
  };
  ASSERT_EQ(run_preflight(on({"migrate", "up", "--to", "1"})).exit_code, 0);
  // As Flyway leaves them: a failed migration, and one whose file was deleted since.
  db.connect()->exec(
      "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, "
      "checksum, installed_by, execution_time, success) VALUES (2, '2', 'b', 'SQL', 'V2__b.sql', "
      "1, 'x', 5, false), (3, '9', 'gone', 'SQL', 'V9__gone.sql', 2, 'x', 5, true)");
  const std::string plan =
      fmt::format("Flyway's flyway_schema_history against the files of {}:\n", dir) +
      line("matched", 1, "a") +
      line("failed", 2, "b (cannot be mapped: recorded there as failed)") +
      line("missing", 9, "gone (applied there, no file here: not recorded)");
  auto stopped = run_preflight(on({"migrate", "adopt"}));
  EXPECT_EQ(stopped.exit_code, 3) << stopped.err;
  EXPECT_EQ(stopped.out, plan);
  EXPECT_NE(stopped.err.find("migrate adopt stopped: 2 entries of Flyway's flyway_schema_history "
                             "cannot be converted as they are"),
            std::string::npos)
      << stopped.err;
  auto forced = run_preflight(on({"migrate", "adopt", "--force"}));
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(db.scalar("SELECT string_agg(version || ':' || success, ',' ORDER BY version) FROM "
                      "_sqlx_migrations"),
            "1:true,2:false");
}

} // namespace
