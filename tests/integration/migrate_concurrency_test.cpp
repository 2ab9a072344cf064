// Concurrent and interrupted runs: the advisory lock, a waiting run beside a concurrent index
// build, killed and interrupted runs, and a lock timeout that names who held the lock.

#include <gtest/gtest.h>

#include <filesystem>

#include "core/migrate/lock_key.h"

#include "support/migrate_helpers.h"

using namespace preflight::testing;
namespace fs = std::filesystem;

namespace {

TEST(MigrateConcurrency, EightConcurrentRunsApplyEachMigrationOnce) {
  TestDatabase db;
  auto dir = make_temp_dir();
  for (int v = 1; v <= 6; ++v) {
    write_file(dir + fmt::format("/{:04}_m{}.sql", v, v),
               fmt::format("CREATE TABLE m{} (id int);\nSELECT pg_sleep(0.05);\n", v));
  }
  std::vector<std::thread> threads;
  std::vector<int> codes(8, -1);
  std::vector<std::string> errors(8);
  for (std::size_t i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      auto r = run_preflight(on(db, dir, {"migrate", "up"}));
      codes[i] = r.exit_code;
      errors[i] = r.err;
    });
  }
  for (auto& t : threads) t.join();
  for (std::size_t i = 0; i < 8; ++i) EXPECT_EQ(codes[i], 0) << errors[i];
  EXPECT_EQ(
      db.scalar("SELECT string_agg(version::text, ',' ORDER BY version) FROM _sqlx_migrations"),
      "1,2,3,4,5,6");
}

TEST(MigrateConcurrency, WaitingRunDoesNotDeadlockWithConcurrentIndexBuild) {
  TestDatabase db;
  auto dir = make_temp_dir();
  write_file(dir + "/0001_t.sql", "CREATE TABLE t (id int, v int);\nINSERT INTO t SELECT g, g % 97 "
                                  "FROM generate_series(1, 200000) g;\n");
  write_file(
      dir + "/0002_index.sql",
      "-- no-transaction\nSELECT pg_sleep(2);\nCREATE INDEX CONCURRENTLY t_v_idx ON t (v);\n");
  auto log_a = make_temp_dir() + "/a.log";
  auto log_b = make_temp_dir() + "/b.log";
  pid_t a = spawn_preflight(on(db, dir, {"migrate", "up"}), log_a);
  // B starts while A holds the migration lock and sleeps before its CREATE INDEX CONCURRENTLY.
  ASSERT_TRUE(eventually([&] { return running(db, "SELECT pg_sleep(2)"); }));
  pid_t b = spawn_preflight(on(db, dir, {"migrate", "up"}), log_b);
  EXPECT_EQ(wait_exit(a), 0) << read_text(log_a);
  EXPECT_EQ(wait_exit(b), 0) << read_text(log_b);
  EXPECT_NE(
      read_text(log_b).find("preflight: warning: waiting for the migration lock held by pid "),
      std::string::npos)
      << read_text(log_b);
  EXPECT_EQ(db.scalar("SELECT string_agg(version || ':' || success, ',' ORDER BY version) FROM "
                      "_sqlx_migrations"),
            "1:true,2:true");
  EXPECT_EQ(db.scalar("SELECT indisvalid FROM pg_index WHERE indexrelid = 't_v_idx'::regclass"),
            "t");
}

TEST(MigrateConcurrency, LockWaitGivesUpNamingTheHolder) {
  TestDatabase db;
  auto dir = make_temp_dir();
  write_file(dir + "/0001_a.sql", "CREATE TABLE a (id int);\n");
  auto holder = db.connect();
  holder->exec("SET application_name = 'other migrator'");
  holder->exec(fmt::format("SELECT pg_advisory_lock({})",
                           preflight::migrate::migration_lock_key(db.name())));
  auto r = run_preflight(on(db, dir, {"migrate", "up", "--lock-wait", "0.5"}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(fmt::format(
                "preflight: error: gave up waiting 0.5 s for the migration lock held by pid {} "
                "(application_name \"other migrator\", connected since ",
                holder->backend_pid())),
            std::string::npos)
      << r.err;
  EXPECT_EQ(db.scalar("SELECT to_regclass('a') IS NULL"), "t");
}

TEST(MigrateFailure, KilledRunLeavesNoHistoryRowAndARerunSucceeds) {
  TestDatabase db;
  auto dir = make_temp_dir();
  write_file(dir + "/0001_a.sql", "CREATE TABLE a (id int);\n");
  write_file(dir + "/0002_slow.sql", "CREATE TABLE slow (id int);\nSELECT pg_sleep(3);\n");
  pid_t pid = spawn_preflight(on(db, dir, {"migrate", "up"}), make_temp_dir() + "/log");
  ASSERT_TRUE(eventually([&] { return running(db, "SELECT pg_sleep(3)"); }));
  kill(pid, SIGKILL);
  EXPECT_EQ(wait_exit(pid), 128 + SIGKILL);
  // The server ends the backend once pg_sleep returns and it finds the client gone.
  ASSERT_TRUE(eventually([&] {
    return db.scalar("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'preflight "
                     "migrate'") == "0";
  }));
  EXPECT_EQ(db.scalar("SELECT string_agg(version::text, ',') FROM _sqlx_migrations"), "1");
  EXPECT_EQ(db.scalar("SELECT to_regclass('slow') IS NULL"), "t");
  auto rerun = run_preflight(on(db, dir, {"migrate", "up"}));
  EXPECT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_EQ(
      db.scalar("SELECT string_agg(version::text, ',' ORDER BY version) FROM _sqlx_migrations"),
      "1,2");
}

// Ctrl-C / SIGTERM cancel the statement on the server, as psql does: an interrupted ALTER
// TABLE must not hold its ACCESS EXCLUSIVE lock until its statement would have ended.
TEST(MigrateFailure, InterruptedRunCancelsTheStatementOnTheServer) {
  for (const int sig : {SIGINT, SIGTERM}) {
    TestDatabase db;
    auto dir = make_temp_dir();
    write_file(dir + "/0001_a.sql", "CREATE TABLE a (id int);\n");
    write_file(dir + "/0002_slow.sql", "ALTER TABLE a ADD COLUMN j int;\nSELECT pg_sleep(60);\n");
    const auto log = make_temp_dir() + "/log";
    pid_t pid = spawn_preflight(on(db, dir, {"migrate", "up"}), log);
    ASSERT_TRUE(eventually([&] { return running(db, "SELECT pg_sleep(60)"); }));
    kill(pid, sig);
    EXPECT_EQ(wait_exit(pid), 128 + sig);
    EXPECT_NE(read_text(log).find("preflight: interrupted: running statements were cancelled"),
              std::string::npos)
        << read_text(log);
    // Well before pg_sleep(60) would end: the backend is gone and the table readable.
    ASSERT_TRUE(eventually([&] {
      return db.scalar(
                 "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)'") ==
             "0";
    }));
    EXPECT_EQ(db.scalar("SELECT count(*) FROM a"), "0");
    EXPECT_EQ(db.scalar("SELECT string_agg(version::text, ',') FROM _sqlx_migrations"), "1");
  }
}

TEST(MigrateFailure, LockTimeoutNamesTheBlockingSession) {
  TestDatabase db;
  auto dir = make_temp_dir();
  write_file(dir + "/0001_a.sql", "CREATE TABLE a (id int);\n");
  ASSERT_EQ(run_preflight(on(db, dir, {"migrate", "up"})).exit_code, 0);
  write_file(dir + "/0002_add_x.sql", "ALTER TABLE a ADD COLUMN x int;\n");
  auto blocker = db.connect();
  blocker->exec("SET application_name = 'report job'");
  blocker->exec("BEGIN");
  blocker->exec("LOCK TABLE a IN ACCESS SHARE MODE");
  auto r = run_preflight(on(db, dir, {"migrate", "up", "--lock-timeout", "1s"}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            fmt::format(
                "preflight: error: {}/0002_add_x.sql:1:1: migration 2 (add x) failed: ERROR 55P03: "
                "canceling statement due to lock timeout\n"
                "hint: the lock is held by:\n"
                "pid {} (application_name \"report job\", state \"idle in transaction\"): LOCK "
                "TABLE a IN ACCESS SHARE MODE\n"
                "migration 2 was rolled back; 0 earlier migrations of this run stay applied\n",
                dir, blocker->backend_pid()));
  blocker->exec("ROLLBACK");
}

} // namespace
