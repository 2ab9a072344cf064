// Server faults while `preflight migrate up` runs: its backend terminated (pg_terminate_backend),
// its statement cancelled (pg_cancel_backend), the server stopped with `pg_ctl stop -m immediate`
// and started again — each for a transactional migration, a -- no-transaction one, and a run
// waiting for the migration lock. Asserted: the exit code, what the run says, and the state the
// database is left in (and that the documented way forward works from it).

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <pwd.h>

#include <fmt/format.h>

#include "core/migrate/lock_key.h"
#include "io/cluster/throwaway_cluster.h"
#include "support/case_files.h"
#include "support/preflight_process.h"
#include "support/test_cluster.h"

using namespace preflight::testing;
namespace fs = std::filesystem;

namespace {

// A transactional migration and a -- no-transaction one, each with a statement that runs long
// enough to be hit while the server runs it.
void write_corpus(const std::string& dir) {
  write_file(dir + "/0001_base.sql", "CREATE TABLE base (id int);\n");
  write_file(dir + "/0002_tx.sql", "CREATE TABLE tx_made (id int);\n"
                                   "SELECT pg_sleep(30.2);\n"
                                   "CREATE TABLE tx_after (id int);\n");
  write_file(dir + "/0003_notx.sql", "-- no-transaction\n"
                                     "CREATE TABLE notx_made (id int);\n"
                                     "SELECT pg_sleep(30.3);\n"
                                     "CREATE TABLE notx_after (id int);\n");
}

// The pid of the backend running `text`, once one does (0 if none within 30 s).
std::string backend_running(const TestDatabase& db, const std::string& text) {
  std::string pid;
  eventually([&] {
    auto s = db.connect();
    auto r = s->exec_params("SELECT pid FROM pg_stat_activity WHERE state = 'active' AND "
                            "pid <> pg_backend_pid() AND position($1 in query) > 0",
                            {text});
    if (r.rows() > 0) pid = r.get(0, 0);
    return !pid.empty();
  });
  return pid;
}

enum class Fault { terminate, cancel };

const char* function_of(Fault fault) {
  return fault == Fault::terminate ? "pg_terminate_backend" : "pg_cancel_backend";
}

class ServerFaults : public ::testing::TestWithParam<Fault> {
protected:
  void SetUp() override {
    m_dir = make_temp_dir();
    write_corpus(m_dir);
  }
  std::vector<std::string> args(std::vector<std::string> command) const {
    return on_database(m_db, m_dir, std::move(command));
  }
  // Starts `up`, waits for `statement` to run, applies the fault to its backend; returns the
  // run's exit code and output.
  CommandResult fault_during(const std::string& statement) {
    const auto log = make_temp_dir() + "/up.log";
    const pid_t pid = spawn_preflight(args({"migrate", "up"}), log);
    const auto backend = backend_running(m_db, statement);
    if (backend.empty()) {
      kill(pid, SIGKILL);
      wait_exit(pid);
      ADD_FAILURE() << statement << " never ran:\n" << read_text(log);
      return {};
    }
    m_db.scalar(fmt::format("SELECT {}({})", function_of(GetParam()), backend));
    CommandResult result;
    result.exit_code = wait_exit(pid, 60);
    result.err = read_text(log);
    EXPECT_TRUE(eventually([&] { return no_preflight_sessions(m_db); }));
    return result;
  }

  // What the run interrupted by the fault says: a terminated backend is a lost connection
  // (exit 4); a cancelled statement fails its migration (exit 1) with `cancelled_lines`.
  void expect_fault_reported(const CommandResult& r,
                             const std::vector<std::string>& cancelled_lines) const {
    if (GetParam() == Fault::terminate) {
      EXPECT_EQ(r.exit_code, 4) << r.err;
      EXPECT_NE(r.err.find("was interrupted: lost the connection to the database: FATAL:  "
                           "terminating connection due to administrator command"),
                std::string::npos)
          << r.err;
      return;
    }
    EXPECT_EQ(r.exit_code, 1) << r.err;
    for (const auto& line : cancelled_lines)
      EXPECT_NE(r.err.find(line), std::string::npos) << line << "\n" << r.err;
  }

  TestDatabase m_db;
  std::string m_dir;
};

TEST_P(ServerFaults, TransactionalMigrationIsRolledBackAndARerunAppliesIt) {
  expect_fault_reported(fault_during("pg_sleep(30.2)"),
                        {"/0002_tx.sql:2:1: migration 2 (tx) failed: ERROR 57014: canceling "
                         "statement due to user request",
                         "migration 2 was rolled back"});
  // Nothing of migration 2 stays, no row says otherwise.
  EXPECT_EQ(history_summary(m_db), "1:true");
  EXPECT_EQ(m_db.scalar("SELECT to_regclass('tx_made') IS NULL"), "t");
  EXPECT_EQ(run_preflight(args({"migrate", "verify"})).exit_code, 0);
}

TEST_P(ServerFaults, NoTransactionMigrationLeavesAFailedRowThatRepairClears) {
  // Stop the transactional one from sleeping, so the run reaches migration 3.
  write_file(m_dir + "/0002_tx.sql", "CREATE TABLE tx_made (id int);\n");
  expect_fault_reported(fault_during("pg_sleep(30.3)"),
                        {"/0003_notx.sql:3:1: migration 3 (notx) failed: ERROR 57014: "
                         "canceling statement due to user request",
                         "FAILED, not rolled back (no transaction)"});
  // The statement before the fault stays done; the row says failed, and blocks further runs.
  EXPECT_EQ(history_summary(m_db), "1:true,2:true,3:false");
  EXPECT_EQ(m_db.scalar("SELECT to_regclass('notx_made') IS NOT NULL AND "
                        "to_regclass('notx_after') IS NULL"),
            "t");
  auto blocked = run_preflight(args({"migrate", "up"}));
  EXPECT_EQ(blocked.exit_code, 3);
  EXPECT_NE(blocked.err.find("migration 3 (notx) is recorded as failed (partially applied)"),
            std::string::npos)
      << blocked.err;
  // The documented way forward: fix by hand, repair, up.
  write_file(m_dir + "/0003_notx.sql", "-- no-transaction\n"
                                       "CREATE TABLE notx_made (id int);\n"
                                       "SELECT pg_sleep(0.01);\n"
                                       "CREATE TABLE notx_after (id int);\n");
  EXPECT_EQ(run_preflight(args({"migrate", "repair"})).exit_code, 0);
  m_db.connect()->exec("DROP TABLE notx_made");
  EXPECT_EQ(run_preflight(args({"migrate", "up"})).exit_code, 0);
  EXPECT_EQ(history_summary(m_db), "1:true,2:true,3:true");
}

TEST_P(ServerFaults, RunWaitingForTheLockEndsCleanlyOrGoesOnAfterTheHolderLetsGo) {
  write_file(m_dir + "/0002_tx.sql", "CREATE TABLE tx_made (id int);\n");
  write_file(m_dir + "/0003_notx.sql", "-- no-transaction\nCREATE TABLE notx_made (id int);\n");
  auto holder = m_db.connect();
  holder->exec(fmt::format("SELECT pg_advisory_lock({})",
                           preflight::migrate::migration_lock_key(m_db.name())));
  const auto log = make_temp_dir() + "/up.log";
  const pid_t pid = spawn_preflight(args({"migrate", "up", "--lock-wait", "60"}), log);
  ASSERT_TRUE(eventually([&] {
    return read_text(log).find("waiting for the migration lock") != std::string::npos;
  })) << read_text(log);
  const auto waiter = m_db.scalar("SELECT pid FROM pg_stat_activity WHERE datname = "
                                  "current_database() AND application_name = 'preflight migrate'");
  ASSERT_FALSE(waiter.empty());
  if (GetParam() == Fault::terminate) {
    m_db.scalar("SELECT pg_terminate_backend(" + waiter + ")");
    const int code = wait_exit(pid, 60);
    EXPECT_EQ(code, 4) << read_text(log);
    // Terminated while idle between two polls: libpq only sees the connection closed.
    EXPECT_NE(read_text(log).find("preflight: error: lost the connection to the database"),
              std::string::npos)
        << read_text(log);
    EXPECT_EQ(history_summary(m_db), "");
  } else {
    // The waiting run is idle between its lock polls most of the time: a cancel either lands on
    // a poll (the run ends, exit 1, nothing done) or on nothing (it goes on waiting).
    for (int i = 0; i < 20; ++i) m_db.scalar("SELECT pg_cancel_backend(" + waiter + ")");
    holder.reset(); // lets go of the lock
    const int code = wait_exit(pid, 60);
    if (code == 0) {
      EXPECT_EQ(history_summary(m_db), "1:true,2:true,3:true") << read_text(log);
    } else {
      EXPECT_EQ(code, 1) << read_text(log);
      EXPECT_NE(read_text(log).find("canceling statement due to user request"), std::string::npos)
          << read_text(log);
    }
  }
  EXPECT_TRUE(eventually([&] { return no_preflight_sessions(m_db); }));
}

// `pg_ctl stop -m immediate` (every backend killed, no checkpoint) and a start again, on a
// durable cluster of its own (fsync and synchronous_commit on, as a real server; with them off
// the last commits may be lost by design and the state would say nothing about preflight).
class ServerRestart : public ::testing::Test {
protected:
  void SetUp() override {
    preflight::cluster::ClusterOptions options;
    options.durable = true;
    m_cluster = preflight::cluster::ThrowawayCluster::start(options);
    m_cluster->create_database("faults");
    m_conninfo = m_cluster->conninfo("faults");
    m_data = query("SHOW data_directory");
    struct stat info {};
    ASSERT_EQ(stat(m_data.c_str(), &info), 0);
    if (info.st_uid != getuid()) m_user = getpwuid(info.st_uid)->pw_name;
    m_dir = make_temp_dir();
    write_corpus(m_dir);
  }
  void TearDown() override {
    // The server started by pg_ctl is not the cluster's child: stop it before the cluster goes.
    pg_ctl("stop -m immediate -w");
    m_cluster.reset();
  }
  std::string query(const std::string& sql) {
    auto session = preflight::pg::PgSession::connect(m_conninfo);
    auto r = session->exec(sql);
    return r.rows() > 0 ? r.get(0, 0) : "";
  }
  int pg_ctl(const std::string& what) {
    const std::string as = m_user.empty() ? "" : "/usr/sbin/runuser -u " + m_user + " -- ";
    return std::system(fmt::format("{}{}/pg_ctl {} -D '{}' -l '{}/restart.log' >/dev/null 2>&1", as,
                                   m_cluster->bin_dir(), what, m_data, m_cluster->socket_dir())
                           .c_str());
  }
  void restart_after_immediate_stop() {
    ASSERT_EQ(pg_ctl("stop -m immediate -w"), 0);
    ASSERT_EQ(pg_ctl(fmt::format("start -w -o \"-k {} -p {} -c listen_addresses= -c "
                                 "max_connections=100 -c logging_collector=off\"",
                                 m_cluster->socket_dir(), m_cluster->port())),
              0);
  }
  std::vector<std::string> args(std::vector<std::string> command) const {
    command.insert(command.end(), {"--database-url", m_conninfo, "--source", m_dir});
    return command;
  }
  std::string history() {
    return query("SELECT CASE WHEN to_regclass('_sqlx_migrations') IS NULL THEN '' ELSE (SELECT "
                 "string_agg(version || ':' || success, ',' ORDER BY version) FROM "
                 "_sqlx_migrations) END");
  }
  // Starts `up`, restarts the server once `statement` runs; returns the run's exit code and log.
  CommandResult restart_during(const std::string& statement, std::vector<std::string> extra = {}) {
    auto command = args({"migrate", "up"});
    command.insert(command.end(), extra.begin(), extra.end());
    const auto log = make_temp_dir() + "/up.log";
    const pid_t pid = spawn_preflight(command, log);
    const bool seen = eventually([&] {
      return query(fmt::format("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND "
                               "pid <> pg_backend_pid() AND position('{}' in query) > 0",
                               statement)) != "0";
    });
    if (!seen) {
      kill(pid, SIGKILL);
      wait_exit(pid);
      ADD_FAILURE() << statement << " never ran:\n" << read_text(log);
      return {};
    }
    restart_after_immediate_stop();
    CommandResult result;
    result.exit_code = wait_exit(pid, 60);
    result.err = read_text(log);
    return result;
  }

  std::unique_ptr<preflight::cluster::ThrowawayCluster> m_cluster;
  std::string m_conninfo, m_data, m_user, m_dir;
};

TEST_F(ServerRestart, ImmediateStopDuringEachKindOfMigrationAndWhileWaitingForTheLock) {
  // A transactional migration: rolled back by crash recovery, no row.
  auto tx = restart_during("pg_sleep(30.2)");
  EXPECT_EQ(tx.exit_code, 4) << tx.err;
  EXPECT_NE(tx.err.find("was interrupted: lost the connection to the database"), std::string::npos)
      << tx.err;
  EXPECT_EQ(history(), "1:true");
  EXPECT_EQ(query("SELECT to_regclass('tx_made') IS NULL"), "t");

  // A -- no-transaction migration: its failed row survives the crash and blocks further runs.
  write_file(m_dir + "/0002_tx.sql", "CREATE TABLE tx_made (id int);\n");
  auto notx = restart_during("pg_sleep(30.3)");
  EXPECT_EQ(notx.exit_code, 4) << notx.err;
  EXPECT_EQ(history(), "1:true,2:true,3:false");
  EXPECT_EQ(query("SELECT to_regclass('notx_made') IS NOT NULL"), "t");
  auto blocked = run_preflight(args({"migrate", "status", "--exit-code"}));
  EXPECT_EQ(blocked.exit_code, 3) << blocked.out << blocked.err;

  // A run waiting for the lock (held by the test): ends with exit 4, changes nothing.
  query("DROP TABLE notx_made");
  write_file(m_dir + "/0003_notx.sql", "-- no-transaction\nCREATE TABLE notx_made (id int);\n");
  EXPECT_EQ(run_preflight(args({"migrate", "repair"})).exit_code, 0);
  EXPECT_EQ(history(), "1:true,2:true");
  auto holder = preflight::pg::PgSession::connect(m_conninfo);
  holder->exec(
      fmt::format("SELECT pg_advisory_lock({})", preflight::migrate::migration_lock_key("faults")));
  const auto log = make_temp_dir() + "/up.log";
  const pid_t pid = spawn_preflight(args({"migrate", "up", "--lock-wait", "60"}), log);
  ASSERT_TRUE(eventually([&] {
    return read_text(log).find("waiting for the migration lock") != std::string::npos;
  })) << read_text(log);
  restart_after_immediate_stop();
  EXPECT_EQ(wait_exit(pid, 60), 4) << read_text(log);
  EXPECT_NE(read_text(log).find("preflight: error: lost the connection to the database"),
            std::string::npos)
      << read_text(log);
  holder.reset();
  EXPECT_EQ(history(), "1:true,2:true");
  // And the server is usable again: the run completes.
  auto up = run_preflight(args({"migrate", "up"}));
  EXPECT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(history(), "1:true,2:true,3:true");
}

INSTANTIATE_TEST_SUITE_P(Faults, ServerFaults, ::testing::Values(Fault::terminate, Fault::cancel),
                         [](const auto& test) {
                           return test.param == Fault::terminate ? std::string("Terminate")
                                                                 : std::string("Cancel");
                         });

} // namespace
