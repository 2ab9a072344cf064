#pragma once
// A private PostgreSQL cluster for tests, `demo` and `--ephemeral`: copied from a cached
// initdb template, durability off, unix socket in its own folder, run as an unprivileged OS
// user when preflight runs as root, and always stopped and removed (also on Ctrl-C, SIGTERM,
// and — through PR_SET_PDEATHSIG plus stale-folder cleanup — when preflight itself is killed).

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

namespace preflight::cluster {

/// SIGINT, SIGTERM and SIGHUP (those not ignored at start): cancel the statements open sessions
/// run, stop and remove the throwaway clusters, and end the process by the signal. Installed
/// once, for every command, before any connection or cluster exists.
void install_signal_handlers();

struct ClusterOptions {
  bool tcp = false;                  // also listen on 127.0.0.1 (a free port)
  bool durable = false;              // keep fsync, synchronous_commit, full_page_writes on
  std::vector<std::string> settings; // extra "name=value" server settings
};

class ThrowawayCluster {
public:
  /// Starts a new cluster; throws Error(internal) with the server log's tail when it fails.
  static std::unique_ptr<ThrowawayCluster> start(const ClusterOptions& options = {});
  ~ThrowawayCluster();
  ThrowawayCluster(const ThrowawayCluster&) = delete;
  ThrowawayCluster& operator=(const ThrowawayCluster&) = delete;

  /// libpq keyword string for `database` as the superuser "postgres".
  std::string conninfo(const std::string& database = "postgres") const;
  /// postgresql:// URL for `database` (socket folder as the host parameter).
  std::string url(const std::string& database = "postgres") const;
  /// Creates a database (as the superuser).
  void create_database(const std::string& name) const;
  const std::string& socket_dir() const { return m_socket_dir; }
  int port() const { return m_port; }
  const std::string& bin_dir() const { return m_bin_dir; }
  bool durable() const { return m_durable; }
  /// Stops the server and removes its folder (idempotent; the destructor calls it).
  void stop();

private:
  ThrowawayCluster() = default;
  std::string m_root; // holds data/, socket/, server.log, owner.pid
  std::string m_socket_dir;
  std::string m_bin_dir;
  int m_port = 5432;
  pid_t m_server_pid = -1;
  bool m_durable = false;
};

/// The PostgreSQL bin folder used: $PREFLIGHT_PG_BINDIR, else the newest
/// /usr/lib/postgresql/*/bin, else `pg_config --bindir`; throws Error(internal) if none.
std::string find_postgres_bin_dir();

} // namespace preflight::cluster
