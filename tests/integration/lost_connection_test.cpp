// A connection lost in the middle of a migration (the backend terminated from another session):
// the user is told what happened to that migration and what to do next, not to check the URL.

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include <fmt/format.h>

#include "support/cli_case.h"
#include "support/test_cluster.h"

using namespace preflight::testing;

namespace {

// Runs `migrate up` on `dir`, terminates its backend once it sleeps in the migration, and
// returns what the command printed.
CommandResult up_and_terminate(const TestDatabase& db, const std::string& dir) {
  auto run = std::async(std::launch::async, [&] {
    return run_preflight_bounded({"migrate", "up", "--database-url", db.conninfo()}, dir, {}, 60);
  });
  auto admin = db.connect();
  bool terminated = false;
  // Bounded: 30 s at most for the migration to reach its pg_sleep.
  for (int i = 0; i < 300 && !terminated; ++i) {
    auto r = admin->exec(
        fmt::format("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{}' "
                    "AND query LIKE 'SELECT pg_sleep(%' AND pid <> pg_backend_pid()",
                    db.name()));
    terminated = r.rows() > 0;
    if (!terminated) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(terminated) << "the migration never reached pg_sleep";
  return run.get();
}

std::string without_duration(std::string text) {
  // "… in 1.23 s" / "… in 12.3 ms": the time varies.
  const auto at = text.rfind(" in ");
  if (at != std::string::npos) text.erase(at);
  return text;
}

} // namespace

TEST(LostConnection, TransactionalMigrationIsReportedAsRolledBack) {
  TestDatabase db;
  const auto dir = make_temp_dir();
  write_file(dir + "/migrations/0001_a.sql", "CREATE TABLE a (id int);\n");
  write_file(dir + "/migrations/0002_slow.sql",
             "CREATE TABLE slow (id int);\nSELECT pg_sleep(30);\n");
  auto r = up_and_terminate(db, dir);
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.out.find("apply     1 a"), std::string::npos) << r.out;
  ASSERT_NE(r.out.find("apply     2"), std::string::npos) << r.out;
  const auto step = r.out.substr(r.out.find("apply     2"));
  EXPECT_EQ(without_duration(step.substr(0, step.find('\n'))),
            "apply     2 slow                                     INTERRUPTED (connection lost), "
            "rolled back");
  EXPECT_EQ(r.err.rfind("preflight: error: migrations/0002_slow.sql: migration 2 (slow) was "
                        "interrupted: lost the connection to the database: ",
                        0),
            0U)
      << r.err;
  EXPECT_NE(r.err.find("hint: the server rolled back migration 2: it is not applied and its "
                       "history is as before; once the server is reachable, `preflight migrate "
                       "status` shows the state, and running the command again retries it\n"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("credentials"), std::string::npos) << r.err;
  EXPECT_EQ(db.scalar("SELECT to_regclass('slow') IS NULL"), "t");
  EXPECT_EQ(db.scalar("SELECT string_agg(version || ':' || success, ',' ORDER BY version) FROM "
                      "_sqlx_migrations"),
            "1:true");
}

TEST(LostConnection, NoTransactionMigrationIsReportedAsAFailedRowToRepair) {
  TestDatabase db;
  const auto dir = make_temp_dir();
  write_file(dir + "/migrations/0001_slow.sql",
             "-- no-transaction\nCREATE TABLE slow (id int);\nSELECT pg_sleep(30);\n");
  auto r = up_and_terminate(db, dir);
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_EQ(without_duration(r.out.substr(0, r.out.find('\n'))),
            "apply     1 slow                                     INTERRUPTED (connection lost), "
            "not rolled back (no transaction)");
  EXPECT_NE(r.err.find("migration 1 (slow) was interrupted: lost the connection to the database"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("hint: migration 1 runs without a transaction: the statements that ran "
                       "before the connection was lost stay done, and its history row is left "
                       "marked failed, which blocks further runs; once the server is reachable, "
                       "check with `preflight migrate status`, finish or undo the migration by "
                       "hand, then run `preflight migrate repair`\n"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("credentials"), std::string::npos) << r.err;
  EXPECT_EQ(db.scalar("SELECT to_regclass('slow') IS NOT NULL"), "t");
  EXPECT_EQ(db.scalar("SELECT string_agg(version || ':' || success, ',') FROM _sqlx_migrations"),
            "1:false");
}
