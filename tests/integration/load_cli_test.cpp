// `preflight bench load` end to end against a real PostgreSQL: migrations whose locks are known
// exactly (LOCK TABLE … ; SELECT pg_sleep(0.5)) must be measured as what they are.

#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/case_files.h"
#include "support/test_cluster.h"

extern char** environ;

using namespace preflight::testing;

namespace {

// Tables t and u (version 1), then `migration` as version 2.
std::string make_project(const std::string& migration) {
  auto dir = make_temp_dir();
  write_file(dir + "/migrations/0001_tables.sql",
             "CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL);\n"
             "CREATE TABLE u (id int PRIMARY KEY, v int NOT NULL);\n");
  write_file(dir + "/migrations/0002_lock.sql", migration);
  write_file(dir + "/suite.toml", R"(name = "locks"
migrations = "migrations"
before = 1
after = 2

[dataset]
sql = "INSERT INTO t SELECT g, 0 FROM generate_series(1, 1000) g; INSERT INTO u SELECT g, 0 FROM generate_series(1, 1000) g"

[[queries]]
name = "read t"
sql = "SELECT v FROM t WHERE id = $1"
params = [{ int = [1, 1000] }]

[[queries]]
name = "write t"
sql = "UPDATE t SET v = v + 1 WHERE id = $1"
params = [{ int = [1, 1000] }]
writes = true

[[queries]]
name = "read u"
sql = "SELECT v FROM u WHERE id = $1"
params = [{ int = [1, 1000] }]

[queries.load]
max_stall_ms = 200
max_errors = 0
)");
  return dir;
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());
}

const nlohmann::json& operation(const nlohmann::json& results, const std::string& name) {
  for (const auto& op : results["load"]["operations"]) {
    if (op["name"] == name) return op;
  }
  throw std::runtime_error("no operation " + name);
}

// How long the migration held its lock, as the migrator measured it: from the start of the LOCK
// statement to the end of the migration (its commit). pg_sleep(0.5) alone is 500 ms; on a busy
// machine the whole hold can be longer, and the traffic must then see the longer stall.
double lock_hold_ms(const nlohmann::json& results) {
  const auto& load = results["load"];
  return (load["migration_end_s"].get<double>() - load["statements"][0]["start_s"].get<double>()) *
         1000;
}

CommandResult run_load(const TestDatabase& db, const std::string& dir) {
  return run_preflight({"bench", "load", "suite.toml", "--database-url", db.conninfo(),
                        "--allow-writes", "--clients", "6", "--rate", "300", "--before", "1",
                        "--after", "1", "--out", "out/load.json"},
                       dir, {"CI=true"});
}

// Every operation on t waits for the whole ACCESS EXCLUSIVE hold; the one on u never waits.
TEST(LoadCli, AccessExclusiveLockIsMeasuredAsAStallOfItsHoldOnEveryOperationOnTheTable) {
  TestDatabase db;
  auto dir = make_project("LOCK TABLE t IN ACCESS EXCLUSIVE MODE;\nSELECT pg_sleep(0.5);\n");
  auto r = run_load(db, dir);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto results = read_json(dir + "/out/load.json");
  const double hold = lock_hold_ms(results);
  EXPECT_GE(hold, 500);
  for (const char* name : {"read t", "write t"}) {
    const auto& op = operation(results, name);
    const double stall = op["longest_stall_ms"].get<double>();
    // 500 ms ± 10 %, measured against the hold the migrator saw: at 100 executions/s per
    // operation the first blocked one arrives within a few ms of the lock.
    EXPECT_GE(stall, 450) << name;
    EXPECT_LE(stall, std::max(550.0, hold * 1.1)) << name;
    EXPECT_GT(op["blocked_ms"].get<double>(), 300) << name;
    EXPECT_EQ(op["errors"].size(), 0U) << name;
  }
  const auto& u = operation(results, "read u");
  EXPECT_LT(u["longest_stall_ms"].get<double>(), 150);
  EXPECT_EQ(u["blocked_ms"].get<double>(), 0);
  EXPECT_GT(u["operations"].get<int>(), 100);
  // The wait is named after the statement that took the lock, not the pg_sleep running then.
  std::set<std::string> blocked;
  for (const auto& b : results["load"]["blocking"]) {
    const auto& s = results["load"]["statements"][b["statement"].get<std::size_t>()];
    EXPECT_EQ(s["file"], "migrations/0002_lock.sql");
    EXPECT_EQ(s["line"], 1);
    EXPECT_EQ(b["relation"], "t");
    blocked.insert(b["operation"].get<std::string>());
  }
  EXPECT_EQ(blocked, (std::set<std::string>{"read t", "write t"}));
  EXPECT_NE(r.out.find("migrations/0002_lock.sql:1 LOCK TABLE t IN ACCESS EXCLUSIVE MODE: read t "
                       "waited"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("read u: longest stall"), std::string::npos) << r.out;
  EXPECT_EQ(db.scalar("SELECT max(version) FROM _sqlx_migrations"), "2");
  EXPECT_EQ(db.scalar("SELECT sum(v) FROM t"), "0"); // writes were rolled back
}

// SHARE conflicts with ROW EXCLUSIVE (writes), not with ACCESS SHARE (reads).
TEST(LoadCli, ShareLockStallsWritesAndNotReads) {
  TestDatabase db;
  auto dir = make_project("LOCK TABLE t IN SHARE MODE;\nSELECT pg_sleep(0.5);\n");
  auto r = run_load(db, dir);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto results = read_json(dir + "/out/load.json");
  const auto& write = operation(results, "write t");
  EXPECT_GE(write["longest_stall_ms"].get<double>(), 450);
  EXPECT_LE(write["longest_stall_ms"].get<double>(), std::max(550.0, lock_hold_ms(results) * 1.1));
  const auto& read = operation(results, "read t");
  EXPECT_LT(read["longest_stall_ms"].get<double>(), 150);
  EXPECT_EQ(read["blocked_ms"].get<double>(), 0);
  ASSERT_EQ(results["load"]["blocking"].size(), 1U);
  EXPECT_EQ(results["load"]["blocking"][0]["operation"], "write t");
  EXPECT_EQ(results["load"]["blocking"][0]["mode"], "RowExclusiveLock");
}

// An expectation the traffic misses is exit 1, naming it; the results are written all the same.
TEST(LoadCli, StallOverTheLimitIsExitOneNamingTheOperation) {
  TestDatabase db;
  auto dir = make_project("LOCK TABLE u IN ACCESS EXCLUSIVE MODE;\nSELECT pg_sleep(0.5);\n");
  auto r = run_load(db, dir);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("preflight: error: 1 expectation failed: \"read u\" load max_stall_ms"),
            std::string::npos)
      << r.err;
  const auto results = read_json(dir + "/out/load.json");
  EXPECT_EQ(results["verdicts"].size(), 2U);
  EXPECT_FALSE(results["verdicts"][0]["passed"].get<bool>());
}

TEST(LoadCli, FewerClientsThanOperationsIsExitTwoAndRunsNothing) {
  TestDatabase db;
  auto dir = make_project("SELECT 1;\n");
  auto r = run_preflight({"bench", "load", "suite.toml", "--database-url", db.conninfo(),
                          "--allow-writes", "--clients", "2"},
                         dir, {"CI=true"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("preflight: error: --clients 2 is fewer than the suite's 3 operations"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(db.scalar("SELECT to_regclass('_sqlx_migrations') IS NULL"), "t");
}

// A traffic connection the server drops (here the migration terminates them all) counts one
// connection error; the client connects again, prepares its statement on the new backend, and
// its later executions succeed.
TEST(LoadCli, DroppedTrafficConnectionIsCountedOnceAndComesBack) {
  TestDatabase db;
  auto dir = make_project("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
                          "application_name = 'preflight bench load' AND datname = "
                          "current_database() AND pid <> pg_backend_pid();\n");
  // Without the suite's max_errors = 0: the dropped connections are the point here.
  std::string suite = read_text(dir + "/suite.toml");
  suite.erase(suite.find("[queries.load]"));
  write_file(dir + "/suite.toml", suite);
  auto r = run_load(db, dir);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto results = read_json(dir + "/out/load.json");
  EXPECT_EQ(results["load"]["migration_outcome"], "applied");
  for (const char* name : {"read t", "write t", "read u"}) {
    const auto& op = operation(results, name);
    ASSERT_EQ(op["clients"], 2) << name;
    // Each of its 2 connections was dropped once (an execution then fails, whatever it was).
    EXPECT_EQ(op["errors"], (nlohmann::json{{"connection", 2}})) << name;
    const auto& after = op["phases"][2];
    EXPECT_EQ(after["phase"], "after") << name;
    EXPECT_GT(after["operations"].get<int>() - after["errors"].get<int>(), 50) << name;
  }
}

// Ctrl-C while the migration runs: its statement is cancelled (the migration rolls back), the
// traffic stops, and what was measured is still written.
TEST(LoadCli, InterruptCancelsTheMigrationAndWritesThePartialResults) {
  TestDatabase db;
  auto dir = make_project("LOCK TABLE t IN ACCESS EXCLUSIVE MODE;\nSELECT pg_sleep(60);\n");
  const std::string err_path = dir + "/stderr.txt";
  const std::string out_path = dir + "/stdout.txt";
  std::vector<std::string> args{PREFLIGHT_BINARY,
                                "bench",
                                "load",
                                "suite.toml",
                                "--database-url",
                                db.conninfo(),
                                "--allow-writes",
                                "--clients",
                                "3",
                                "--rate",
                                "60",
                                "--before",
                                "1",
                                "--after",
                                "1",
                                "--out",
                                "out/load.json"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  const auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, PREFLIGHT_BINARY, &actions, nullptr, argv.data(), environ);
  std::filesystem::current_path(cwd);
  posix_spawn_file_actions_destroy(&actions);
  ASSERT_EQ(spawned, 0);
  // Wait (at most 60 s) until the migration has started, then 1 s into it.
  bool migrating = false;
  for (int i = 0; i < 600 && !migrating; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::ifstream in(err_path);
    std::stringstream text;
    text << in.rdbuf();
    migrating = text.str().find("applying migration 2") != std::string::npos;
  }
  EXPECT_TRUE(migrating);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  kill(pid, SIGINT);
  int status = 0;
  pid_t done = 0;
  for (int i = 0; i < 300 && done == 0; ++i) {
    done = waitpid(pid, &status, WNOHANG);
    if (done == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (done == 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    FAIL() << "preflight did not stop within 30 s of SIGINT";
  }
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  const auto results = read_json(dir + "/out/load.json");
  EXPECT_EQ(results["load"]["stop_reason"], "interrupted");
  EXPECT_EQ(results["load"]["migration_outcome"].get<std::string>().rfind("cancelled", 0), 0U)
      << results["load"]["migration_outcome"];
  EXPECT_GT(results["load"]["executions"].get<int>(), 30);
  // Cancelled, so rolled back: the history has version 1 only.
  EXPECT_EQ(db.scalar("SELECT max(version) FROM _sqlx_migrations"), "1");
}

} // namespace
