#pragma once
// Helpers of the migrate integration tests: the database a command runs against, the history as
// one comparable string, a schema dump, and processes started without waiting for them.

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "core/migrate/checksum.h"
#include "support/case_files.h"
#include "support/test_cluster.h"

namespace preflight::testing {

inline std::vector<std::string> on(const TestDatabase& db, const std::string& dir,
                                   std::vector<std::string> args) {
  args.insert(args.end(), {"--database-url", db.conninfo(), "--source", dir});
  return args;
}

inline std::string hex_of_file(const std::string& path) {
  return migrate::to_hex(migrate::sha384(read_text(path)));
}

// The history as one comparable string.
inline std::string history_rows(const TestDatabase& db,
                                const std::string& table = "_sqlx_migrations") {
  return db.scalar(
      fmt::format("SELECT coalesce(string_agg(format('%s|%s|%s|%s|%s|%s', version, description, "
                  "installed_on, success, encode(checksum, 'hex'), execution_time), E'\\n' "
                  "ORDER BY version), '') FROM {}",
                  table));
}

inline std::string capture(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return out;
  char buffer[4096];
  while (auto n = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  pclose(pipe);
  return out;
}

// pg_dump 15.14+ brackets its output with \restrict / \unrestrict and a random key per run.
inline std::string schema_dump(const TestDatabase& db) {
  auto dump = capture(fmt::format("{}/pg_dump --schema-only --no-owner -d '{}'", postgres_bin_dir(),
                                  db.conninfo()));
  std::string kept;
  std::size_t start = 0;
  while (start < dump.size()) {
    auto end = dump.find('\n', start);
    if (end == std::string::npos) end = dump.size() - 1;
    auto line = dump.substr(start, end - start + 1);
    if (line.rfind("\\restrict ", 0) != 0 && line.rfind("\\unrestrict ", 0) != 0) kept += line;
    start = end + 1;
  }
  return kept;
}

// True while another session runs `statement` (statements are sent with the whitespace and
// comments that precede them in the file, e.g. a first line "-- no-transaction").
inline bool running(const TestDatabase& db, const std::string& statement) {
  return db.scalar(
             fmt::format("SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND "
                         "state = 'active' AND position('{}' in query) > 0",
                         statement)) == "1";
}

// Starts preflight without waiting for it (for kill and concurrency tests).
inline pid_t spawn_preflight(const std::vector<std::string>& args, const std::string& log_path,
                             bool ignore_hangup = false, const std::vector<std::string>& env = {}) {
  pid_t pid = fork();
  if (pid == 0) {
    if (ignore_hangup) signal(SIGHUP, SIG_IGN); // as nohup does
    for (const auto& entry : env) putenv(const_cast<char*>(entry.c_str()));
    int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(log, 1);
    dup2(log, 2);
    std::vector<char*> argv{const_cast<char*>(PREFLIGHT_BINARY)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(PREFLIGHT_BINARY, argv.data());
    _exit(127);
  }
  return pid;
}

inline int wait_exit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Polls `condition` every 20 ms for up to `seconds`.
template <class Condition> bool eventually(Condition condition, double seconds = 20) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

} // namespace preflight::testing
