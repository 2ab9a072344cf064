#include "io/pg/database_copy.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <fmt/format.h>
#include <libpq-fe.h>

#include "io/cluster/process.h"

extern char** environ;

namespace fs = std::filesystem;

namespace preflight::pg {

namespace {

using Parameters = std::vector<std::pair<std::string, std::string>>;

// The options the original connection really used, so that pg_dump reaches the same server as
// the same user however it was named (URL, keywords, PG* variables, service file).
Parameters parameters_of(PGconn* conn) {
  PQconninfoOption* options = PQconninfo(conn);
  if (options == nullptr)
    throw Error(ErrorKind::connection, "cannot read the connection's parameters");
  Parameters parameters;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val != nullptr && *o->val != '\0') parameters.emplace_back(o->keyword, o->val);
  }
  PQconninfoFree(options);
  return parameters;
}

std::string value_of(const Parameters& parameters, const std::string& keyword) {
  for (const auto& [k, v] : parameters)
    if (k == keyword) return v;
  return {};
}

// A libpq keyword string without the password (command lines are visible to every local user);
// the password goes to the child's environment as PGPASSWORD instead.
std::string keyword_string(const Parameters& parameters, const std::string& database) {
  std::string out;
  for (const auto& [keyword, value] : parameters) {
    if (keyword == "password" || keyword == "application_name" ||
        keyword == "fallback_application_name")
      continue;
    std::string quoted = "'";
    for (char c : keyword == "dbname" ? database : value) {
      if (c == '\'' || c == '\\') quoted += '\\';
      quoted += c;
    }
    out += (out.empty() ? "" : " ") + keyword + "=" + quoted + "'";
  }
  return out;
}

std::vector<std::string> environment_with(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry = *e;
    bool replaced = false;
    for (const auto& x : extra)
      replaced = replaced || entry.substr(0, entry.find('=') + 1) == x.substr(0, x.find('=') + 1);
    if (!replaced) env.push_back(entry);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs a PostgreSQL client program, its standard error into `errors`; returns its exit status.
int run_tool(std::vector<std::string> args, const std::vector<std::string>& extra_env,
             const fs::path& error_file) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, error_file.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  auto env = environment_with(extra_env);
  auto argv = c_strings(args);
  auto envp = c_strings(env);
  pid_t pid = -1;
  const int failed = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (failed != 0) return 127;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string last_lines(const std::string& text, std::size_t count = 8) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  std::string out;
  for (std::size_t i = lines.size() > count ? lines.size() - count : 0; i < lines.size(); ++i)
    out += (out.empty() ? "" : "\n") + lines[i];
  return out;
}

// pg_dump's own major version ("pg_dump (PostgreSQL) 15.8 (Debian …)"), 0 if unknown.
int tool_major(const std::string& program) {
  try {
    const std::string out = cluster::run_capture({program, "--version"}, std::nullopt);
    const auto at = out.find_first_of("0123456789");
    return at == std::string::npos ? 0 : std::atoi(out.c_str() + at);
  } catch (const Error&) {
    return 0;
  }
}

// The folder with pg_dump and pg_restore: PREFLIGHT_PG_BINDIR (which may hold the client
// programs only), else the PostgreSQL bin folder the throwaway cluster uses (the newest
// /usr/lib/postgresql/*/bin, else pg_config's), else the first on PATH.
std::string client_bin_dir() {
  auto has_clients = [](const std::string& dir) {
    return !dir.empty() && fs::exists(dir + "/pg_dump") && fs::exists(dir + "/pg_restore");
  };
  if (const char* dir = std::getenv("PREFLIGHT_PG_BINDIR"); dir && *dir)
    return has_clients(dir) ? dir : "";
  try {
    if (std::string dir = cluster::find_postgres_bin_dir(); has_clients(dir)) return dir;
  } catch (const Error&) {
  }
  if (const char* path = std::getenv("PATH")) {
    std::istringstream in(path);
    for (std::string dir; std::getline(in, dir, ':');)
      if (has_clients(dir)) return dir;
  }
  return {};
}

std::string random_name() {
  static std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("preflight_copy_{}_{:08x}", getpid(), rng() & 0xffffffffU);
}

fs::path make_work_dir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      fs::absolute(tmp && *tmp ? tmp : "/tmp").string() + "/preflight-copy-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (!mkdtemp(buffer.data()))
    throw Error(ErrorKind::connection,
                fmt::format("cannot create a folder for the dump in {}", pattern),
                "set TMPDIR to a writable folder");
  return buffer.data();
}

const char* const k_fallback_hint = "or use --dry-run=transaction when the plan fits the "
                                    "server's lock table and has no -- no-transaction migration";

} // namespace

// A child process, in its own session and deaf to Ctrl-C and SIGTERM, that waits for "done" on
// a pipe from preflight. Should preflight end without sending it (a signal, a crash, SIGKILL),
// the pipe closes and the child runs dropdb: a database on a shared server is never left behind.
class DatabaseCopy::DropGuard {
public:
  DropGuard(const std::string& dropdb, const Parameters& parameters, const std::string& admin_db,
            const std::string& name, bool force) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return;
    std::vector<std::string> extra{"PREFLIGHT_COPY_ADMIN=" + keyword_string(parameters, admin_db),
                                   "PREFLIGHT_COPY_NAME=" + name,
                                   std::string("PREFLIGHT_COPY_FORCE=") + (force ? "--force" : "")};
    if (auto password = value_of(parameters, "password"); !password.empty())
      extra.push_back("PGPASSWORD=" + password);
    auto env = environment_with(extra);
    std::vector<std::string> args{
        "/bin/sh", "-c",
        "IFS= read -r line; [ \"$line\" = done ] && exit 0; exec \"$0\" --if-exists "
        "$PREFLIGHT_COPY_FORCE --maintenance-db=\"$PREFLIGHT_COPY_ADMIN\" \"$PREFLIGHT_COPY_NAME\"",
        dropdb};
    auto argv = c_strings(args);
    auto envp = c_strings(env);
    const pid_t pid = fork();
    if (pid == 0) {
      // Only async-signal-safe calls between fork and exec.
      setsid();
      for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE}) signal(sig, SIG_IGN);
      dup2(fds[0], STDIN_FILENO);
      const int null_fd = open("/dev/null", O_WRONLY);
      if (null_fd >= 0) {
        dup2(null_fd, STDOUT_FILENO);
        dup2(null_fd, STDERR_FILENO);
      }
      execve(argv[0], argv.data(), envp.data());
      _exit(127);
    }
    close(fds[0]);
    if (pid < 0) {
      close(fds[1]);
      return;
    }
    m_pid = pid;
    m_write = fds[1];
  }

  /// Tells the child the database is gone (`dropped`) or lets it drop it, and waits for it.
  void release(bool dropped) {
    if (m_write < 0) return;
    if (dropped) {
      const char done[] = "done\n";
      [[maybe_unused]] auto n = write(m_write, done, sizeof done - 1);
    }
    close(m_write);
    m_write = -1;
    int status = 0;
    while (waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
    }
  }

  ~DropGuard() { release(false); }

private:
  pid_t m_pid = -1;
  int m_write = -1;
};

CopyFeasibility DatabaseCopy::check(PgSession& original, const DatabaseCopyOptions& options) {
  CopyFeasibility f;
  f.server_major = original.server_version() / 10000;
  f.bin_dir = client_bin_dir();
  if (f.bin_dir.empty())
    throw Error(ErrorKind::connection,
                "a dry run on a copy needs pg_dump and pg_restore, and neither was found",
                fmt::format("install the PostgreSQL {} client (Debian: apt-get install "
                            "postgresql-client-{}) or set PREFLIGHT_PG_BINDIR to the folder "
                            "holding pg_dump; {}",
                            f.server_major, f.server_major, k_fallback_hint));
  f.tools_major = tool_major(f.bin_dir + "/pg_dump");
  if (f.tools_major < f.server_major)
    throw Error(ErrorKind::connection,
                fmt::format("a dry run on a copy needs pg_dump {} or newer for this PostgreSQL {} "
                            "server; {}/pg_dump is version {}",
                            f.server_major, f.server_major, f.bin_dir, f.tools_major),
                fmt::format("install postgresql-client-{} and set PREFLIGHT_PG_BINDIR to its "
                            "folder (Debian: /usr/lib/postgresql/{}/bin); {}",
                            f.server_major, f.server_major, k_fallback_hint));
  auto role = original.exec(
      "SELECT current_user, rolsuper OR rolcreatedb, pg_database_size(current_database()) "
      "FROM pg_roles WHERE rolname = current_user");
  const std::string user = role.get(0, 0);
  const bool can_create = role.get_bool(0, 1);
  const std::int64_t size = role.get_int(0, 2);
  if (options.with_data && size > options.max_data_bytes)
    throw Error(ErrorKind::usage,
                fmt::format("--with-data copies databases of up to {} MiB; this one is {} MiB",
                            options.max_data_bytes >> 20, size >> 20),
                "leave out --with-data: the copy then holds the schema and the history only");
  const bool server_binaries =
      fs::exists(f.bin_dir + "/initdb") && fs::exists(f.bin_dir + "/postgres");
  const std::string no_create = fmt::format("role \"{}\" may not create databases", user);
  const std::string no_binaries =
      fmt::format("no PostgreSQL server binaries (initdb, postgres) were found in {} for a "
                  "throwaway cluster",
                  f.bin_dir);
  const std::string grant = fmt::format("grant CREATEDB (ALTER ROLE \"{}\" CREATEDB)", user);
  const std::string install =
      fmt::format("install the PostgreSQL {} server (Debian: apt-get install postgresql-{}) or "
                  "set PREFLIGHT_PG_BINDIR to the folder holding initdb and postgres",
                  f.server_major, f.server_major);
  const auto wanted = options.place;
  if (wanted == CopyPlace::same_server && !can_create)
    throw Error(ErrorKind::connection, "a dry run on a copy cannot be made: " + no_create,
                grant + "; " + k_fallback_hint);
  if (wanted == CopyPlace::throwaway_cluster && !server_binaries)
    throw Error(ErrorKind::connection, "a dry run on a copy cannot be made: " + no_binaries,
                install + "; " + k_fallback_hint);
  if (!wanted && !can_create && !server_binaries)
    throw Error(ErrorKind::connection,
                "a dry run on a copy cannot be made: " + no_create + ", and " + no_binaries,
                grant + ", or " + install + "; " + k_fallback_hint);
  f.place = wanted ? *wanted : (can_create ? CopyPlace::same_server : CopyPlace::throwaway_cluster);
  if (f.place == CopyPlace::throwaway_cluster && f.tools_major != f.server_major)
    f.notes.push_back(fmt::format("the throwaway cluster runs PostgreSQL {}, the original {}",
                                  f.tools_major, f.server_major));
  return f;
}

std::unique_ptr<DatabaseCopy> DatabaseCopy::create(PgSession& original,
                                                   const DatabaseCopyOptions& options) {
  std::unique_ptr<DatabaseCopy> copy(new DatabaseCopy());
  copy->m_feasibility = check(original, options);
  copy->m_original = &original;
  const auto& f = copy->m_feasibility;
  const auto parameters = parameters_of(original.raw());
  std::vector<std::string> env{"PGAPPNAME=" + options.application_name};
  if (auto password = value_of(parameters, "password"); !password.empty())
    env.push_back("PGPASSWORD=" + password);
  const fs::path work = make_work_dir();
  struct RemoveWork {
    fs::path path;
    ~RemoveWork() {
      std::error_code ec;
      fs::remove_all(path, ec);
    }
  } remove_work{work};
  const fs::path errors = work / "errors.txt";
  auto fail = [&](const std::string& what) {
    return Error(
        ErrorKind::connection,
        fmt::format("{} for a dry run on a copy failed:\n{}", what, last_lines(slurp(errors))),
        k_fallback_hint);
  };

  // Dump first: nothing exists yet that would need dropping if it fails.
  const std::string source = keyword_string(parameters, original.database_name());
  std::vector<std::string> dump{f.bin_dir + "/pg_dump", "--format=custom",
                                "--file=" + (work / "schema.dump").string()};
  if (!options.with_data) dump.push_back("--schema-only");
  dump.push_back("--dbname=" + source);
  if (run_tool(dump, env, errors) != 0) throw fail("pg_dump of the schema");
  const bool rows = !options.with_data && !options.data_tables.empty();
  if (rows) {
    std::vector<std::string> data{f.bin_dir + "/pg_dump", "--format=custom", "--data-only",
                                  "--file=" + (work / "rows.dump").string()};
    for (const auto& table : options.data_tables) data.push_back("--table=" + table);
    data.push_back("--dbname=" + source);
    if (run_tool(data, env, errors) != 0) throw fail("pg_dump of the history rows");
  }

  std::string destination;
  std::vector<std::string> restore_env = env;
  bool keep_owners = false;
  if (f.place == CopyPlace::same_server) {
    copy->m_name = random_name();
    copy->m_guard =
        std::make_unique<DropGuard>(f.bin_dir + "/dropdb", parameters, original.database_name(),
                                    copy->m_name, f.server_major >= 13);
    copy->m_scratch = ScratchDatabase::empty_like(original, copy->m_name, options.application_name);
    destination = keyword_string(parameters, copy->m_name);
    // Owners and grants restore as they are only for a superuser; anyone else owns the copy.
    keep_owners =
        original.exec("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").get_bool(0, 0);
  } else {
    copy->m_cluster = cluster::ThrowawayCluster::start();
    copy->m_name = original.database_name();
    copy->m_cluster->create_database(copy->m_name);
    destination = copy->m_cluster->conninfo(copy->m_name);
    restore_env = {"PGAPPNAME=" + options.application_name};
  }
  std::vector<std::string> restore{f.bin_dir + "/pg_restore", "--exit-on-error",
                                   "--dbname=" + destination};
  if (!keep_owners) restore.insert(restore.end(), {"--no-owner", "--no-privileges"});
  restore.push_back((work / "schema.dump").string());
  if (run_tool(restore, restore_env, errors) != 0)
    throw fail(fmt::format("pg_restore into {}", copy->describe()));
  if (rows) {
    std::vector<std::string> data{f.bin_dir + "/pg_restore", "--exit-on-error", "--data-only",
                                  "--dbname=" + destination, (work / "rows.dump").string()};
    if (run_tool(data, restore_env, errors) != 0)
      throw fail(fmt::format("pg_restore of the history rows into {}", copy->describe()));
  }
  return copy;
}

DatabaseCopy::~DatabaseCopy() {
  try {
    m_scratch.reset(); // DROP DATABASE … WITH (FORCE)
    bool dropped = true;
    if (m_guard && m_original) {
      dropped =
          m_original->try_exec_params("SELECT 1 FROM pg_database WHERE datname = $1", {m_name})
              .result.rows() == 0;
    }
    if (m_guard) m_guard->release(dropped);
  } catch (...) {
    // The guard's destructor runs dropdb.
  }
  m_guard.reset();
  m_cluster.reset();
}

std::unique_ptr<PgSession> DatabaseCopy::connect(const std::string& application_name) const {
  auto session = m_cluster ? PgSession::connect(m_cluster->conninfo(m_name), application_name)
                           : m_original->connect_again(application_name, m_name);
  // The copy is thrown away: its commits need not wait for the WAL to reach the disk, which on
  // a durable server is most of what a commit per migration costs.
  session->exec("SET synchronous_commit = off");
  return session;
}

std::string DatabaseCopy::describe() const {
  if (m_feasibility.place == CopyPlace::throwaway_cluster)
    return fmt::format("a throwaway PostgreSQL {} cluster", m_feasibility.tools_major);
  return fmt::format("database \"{}\" on the same server", m_name);
}

} // namespace preflight::pg
