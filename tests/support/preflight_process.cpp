#include "support/preflight_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>

namespace preflight::testing {

pid_t spawn_preflight(const std::vector<std::string>& args, const std::string& log_path,
                      const std::vector<std::string>& env) {
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int in = open("/dev/null", O_RDONLY);
    dup2(log, 1);
    dup2(log, 2);
    dup2(in, 0);
    unsetenv("DATABASE_URL");
    for (const auto& entry : env) putenv(const_cast<char*>(entry.c_str()));
    std::vector<char*> argv{const_cast<char*>(PREFLIGHT_BINARY)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(PREFLIGHT_BINARY, argv.data());
    _exit(127);
  }
  return pid;
}

int wait_exit(pid_t pid, double seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool eventually(const std::function<bool()>& condition, double seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

bool running(const TestDatabase& db, const std::string& text) {
  auto session = db.connect();
  auto r = session->exec_params("SELECT count(*) FROM pg_stat_activity WHERE pid <> "
                                "pg_backend_pid() AND state = 'active' AND "
                                "position($1 in query) > 0",
                                {text});
  return r.get(0, 0) != "0";
}

bool no_preflight_sessions(const TestDatabase& db) {
  // "preflight migrate", "preflight session check": not the tests' own sessions ("preflight").
  return db.scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
                   "application_name LIKE 'preflight %'") == "0";
}

std::string schema_signature(const TestDatabase& db) {
  return db.scalar(
      "SELECT coalesce(string_agg(line, E'\\n' ORDER BY line), '') FROM ("
      " SELECT format('rel %s %s', c.relname, c.relkind) AS line FROM pg_class c"
      "  WHERE c.relnamespace = 'public'::regnamespace"
      " UNION ALL SELECT format('col %s.%s %s', c.relname, a.attname,"
      "  format_type(a.atttypid, a.atttypmod)) FROM pg_attribute a"
      "  JOIN pg_class c ON c.oid = a.attrelid WHERE c.relnamespace = 'public'::regnamespace"
      "  AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'v', 'm')"
      " UNION ALL SELECT format('idx %s valid=%s %s', i.indexrelid::regclass, i.indisvalid,"
      "  pg_get_indexdef(i.indexrelid)) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid"
      "  WHERE c.relnamespace = 'public'::regnamespace"
      " UNION ALL SELECT format('con %s %s', conname, pg_get_constraintdef(oid))"
      "  FROM pg_constraint WHERE connamespace = 'public'::regnamespace) s");
}

std::string history_summary(const TestDatabase& db) {
  if (db.scalar("SELECT to_regclass('_sqlx_migrations') IS NULL") == "t") return "";
  return db.scalar("SELECT coalesce(string_agg(version || ':' || success, ',' ORDER BY version), "
                   "'') FROM _sqlx_migrations");
}

std::vector<std::string> on_database(const TestDatabase& db, const std::string& dir,
                                     std::vector<std::string> args) {
  args.insert(args.end(), {"--database-url", db.conninfo(), "--source", dir});
  return args;
}

} // namespace preflight::testing
