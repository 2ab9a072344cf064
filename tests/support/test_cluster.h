#pragma once
// Integration-test access to a real PostgreSQL: the project's throwaway cluster (one per test
// process, started on first use) or the server named by PREFLIGHT_TEST_DATABASE_URL. Each test
// gets its own database with a random name, printed so a failure can be reproduced.

#include <memory>
#include <string>
#include <vector>

#include "io/cluster/throwaway_cluster.h"
#include "io/pg/pg_session.h"

namespace preflight::testing {

/// A fresh database for one test; dropped when destroyed.
class TestDatabase {
public:
  TestDatabase();
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  const std::string& name() const { return m_name; }
  /// libpq keyword string for this database.
  std::string conninfo() const;
  /// A new session on this database.
  std::unique_ptr<pg::PgSession> connect() const;
  /// Runs SQL and returns the first column of the first row ("" if none).
  std::string scalar(const std::string& sql) const;

private:
  std::string m_name;
};

/// The server's libpq keyword string for `database`.
std::string server_conninfo(const std::string& database);

/// A throwaway cluster of the test's own, started with extra server settings ("name=value", e.g.
/// "max_locks_per_transaction=64"), for tests that need a server configured unlike the shared
/// one; stopped and removed when the returned cluster is destroyed. Never PREFLIGHT_TEST_SERVER:
/// its settings are not the test's to choose.
std::unique_ptr<cluster::ThrowawayCluster>
start_server_with(const std::vector<std::string>& settings);

/// The PostgreSQL bin folder (for pg_dump, psql in tests).
std::string postgres_bin_dir();

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs the built `preflight` binary with `args` in folder `cwd` (default: a temp folder),
/// with extra environment "NAME=value" entries; captures stdout and stderr.
CommandResult run_preflight(const std::vector<std::string>& args, const std::string& cwd = {},
                            const std::vector<std::string>& env = {});

/// Like run_preflight(), as OS user `user` (through runuser; the caller must be root).
CommandResult run_preflight_as(const std::string& user, const std::vector<std::string>& args,
                               const std::string& cwd = {},
                               const std::vector<std::string>& env = {});

/// A new empty temporary folder, removed at process exit.
std::string make_temp_dir();

/// Writes `text` to `path`, creating parent folders.
void write_file(const std::string& path, const std::string& text);

/// The bundled migrations folder.
std::string bundled_migrations();

} // namespace preflight::testing
