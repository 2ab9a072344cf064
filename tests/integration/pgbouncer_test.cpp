// `preflight migrate` through PgBouncer (Debian package pgbouncer), started here on a free
// loopback port in front of the test server's unix socket: in session pooling migrations run as
// on a direct connection; in transaction pooling, where the session advisory lock and session
// settings do not hold between transactions, preflight refuses (exit 2) before changing anything.

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include <fmt/format.h>
#include <libpq-fe.h>

#include "support/case_files.h"
#include "support/preflight_process.h"
#include "support/test_cluster.h"

using namespace preflight::testing;
namespace fs = std::filesystem;

namespace {

constexpr const char* k_pgbouncer = "/usr/sbin/pgbouncer";

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

// A PgBouncer process for one test: stopped (SIGTERM, then SIGKILL) when destroyed.
class PgBouncer {
public:
  PgBouncer(const TestDatabase& db, const std::string& pool_mode, int pool_size) {
    // PgBouncer refuses to run as root: run it as the owner of the server's socket folder.
    const auto socket_dir = db.scalar("SELECT split_part(current_setting("
                                      "'unix_socket_directories'), ',', 1)");
    const auto server_port = db.scalar("SELECT current_setting('port')");
    m_dir = make_temp_dir();
    m_port = free_port();
    write_file(m_dir + "/userlist.txt", "\"postgres\" \"\"\n");
    write_file(m_dir + "/pgbouncer.ini",
               fmt::format("[databases]\n* = host={} port={} user=postgres\n"
                           "[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {}\n"
                           "unix_socket_dir =\nauth_type = trust\nauth_file = {}/userlist.txt\n"
                           "pool_mode = {}\ndefault_pool_size = {}\nmax_client_conn = 200\n"
                           "logfile = {}/pgbouncer.log\npidfile =\n",
                           socket_dir, server_port, m_port, m_dir, pool_mode, pool_size, m_dir));
    struct stat info {};
    stat(socket_dir.c_str(), &info);
    for (const auto& entry : fs::recursive_directory_iterator(m_dir)) {
      (void)chown(entry.path().c_str(), info.st_uid, info.st_gid);
    }
    (void)chown(m_dir.c_str(), info.st_uid, info.st_gid);
    m_pid = fork();
    if (m_pid == 0) {
      setpgid(0, 0);
      int null = open("/dev/null", O_RDWR);
      dup2(null, 0);
      dup2(null, 1);
      dup2(null, 2);
      if (getuid() == 0 && info.st_uid != 0) {
        setgroups(0, nullptr);
        if (setgid(info.st_gid) != 0 || setuid(info.st_uid) != 0) _exit(126);
      }
      const std::string ini = m_dir + "/pgbouncer.ini";
      execl(k_pgbouncer, k_pgbouncer, ini.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    m_ready = eventually([&] { return PQping(conninfo("pgbouncer").c_str()) == PQPING_OK; }, 20);
  }
  ~PgBouncer() {
    if (m_pid > 0) {
      kill(m_pid, SIGTERM); // immediate shutdown (SIGINT would wait for clients)
      if (wait_exit(m_pid, 10) == 128 + SIGKILL) std::cerr << "pgbouncer had to be killed\n";
    }
  }
  PgBouncer(const PgBouncer&) = delete;
  PgBouncer& operator=(const PgBouncer&) = delete;

  bool ready() const { return m_ready; }
  std::string conninfo(const std::string& database) const {
    return fmt::format("host=127.0.0.1 port={} user=postgres dbname={}", m_port, database);
  }
  std::string log() const { return read_text(m_dir + "/pgbouncer.log"); }

private:
  std::string m_dir;
  int m_port = 0;
  pid_t m_pid = -1;
  bool m_ready = false;
};

void write_corpus(const std::string& dir) {
  write_file(dir + "/0001_a.sql", "CREATE TABLE a (id int);\n");
  write_file(dir + "/0002_b.sql", "-- no-transaction\nCREATE INDEX CONCURRENTLY a_id ON a (id);\n");
}

std::vector<std::string> through(const PgBouncer& bouncer, const TestDatabase& db,
                                 const std::string& dir, std::vector<std::string> args) {
  args.insert(args.end(), {"--database-url", bouncer.conninfo(db.name()), "--source", dir});
  return args;
}

TEST(PgBouncer, SessionPoolingMigratesAsADirectConnection) {
  TestDatabase db;
  PgBouncer bouncer(db, "session", 4);
  ASSERT_TRUE(bouncer.ready()) << bouncer.log();
  auto dir = make_temp_dir();
  write_corpus(dir);
  auto up = run_preflight(through(bouncer, db, dir, {"migrate", "up"}));
  EXPECT_EQ(up.exit_code, 0) << up.err << bouncer.log();
  EXPECT_EQ(history_summary(db), "1:true,2:true");
  EXPECT_EQ(run_preflight(through(bouncer, db, dir, {"migrate", "verify"})).exit_code, 0);
  auto again = run_preflight(through(bouncer, db, dir, {"migrate", "up"}));
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, "Nothing to apply: the database is up to date.\n");
}

// One server connection (the backend is the same for every transaction by construction) and
// several (PgBouncer hands the most recently used one back): both must be seen.
TEST(PgBouncer, TransactionPoolingIsRefusedBeforeAnythingChanges) {
  for (const int pool_size : {1, 4}) {
    TestDatabase db;
    PgBouncer bouncer(db, "transaction", pool_size);
    ASSERT_TRUE(bouncer.ready()) << bouncer.log();
    auto dir = make_temp_dir();
    write_corpus(dir);
    for (const char* command : {"up", "down", "repair"}) {
      auto r = run_preflight(through(bouncer, db, dir, {"migrate", command}));
      EXPECT_EQ(r.exit_code, 2) << "pool size " << pool_size << ", " << command << ": " << r.out
                                << r.err;
      EXPECT_NE(r.err.find("preflight: error: this connection does not keep its session from "
                           "one transaction to the next ("),
                std::string::npos)
          << r.err;
      EXPECT_NE(r.err.find("): it goes through a pooler in transaction or statement mode, where "
                           "the migration lock and session settings do not hold, so concurrent "
                           "runs could apply a migration twice; nothing was changed\n"
                           "hint: migrate over a direct connection to PostgreSQL, or through a "
                           "pool in session mode (PgBouncer: pool_mode = session for the "
                           "database preflight connects to)\n"),
                std::string::npos)
          << r.err;
    }
    EXPECT_EQ(db.scalar("SELECT to_regclass('_sqlx_migrations') IS NULL AND to_regclass('a') IS "
                        "NULL"),
              "t");
    // And the lock is not left behind on a pooled server connection.
    EXPECT_TRUE(eventually(
        [&] {
          return db.scalar("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'") == "0";
        },
        5))
        << "pool size " << pool_size;
  }
}

} // namespace
