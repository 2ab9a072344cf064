#pragma once
// The lock-wait watcher of `bench load`: a session of its own samples pg_stat_activity, pg_locks
// and pg_blocking_pids() every 10 ms for the traffic's sessions, and records each wait with the
// relation and mode it waits for and whether the migration's session blocks it (which migration
// statement ran then is matched by time afterwards). It also enforces the run's duration cap.

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "core/bench/load.h"
#include "io/bench/load_traffic.h"
#include "io/pg/pg_session.h"

namespace preflight::bench {

class LoadWatcher {
public:
  /// Opens its own connection like `session`'s; `operation_of_pid` maps the traffic's backends to
  /// their operations, `migration_pid` is the migrating backend. Throws like PgSession::connect.
  LoadWatcher(pg::PgSession& session, std::map<int, int> operation_of_pid, int migration_pid,
              std::chrono::milliseconds interval);
  ~LoadWatcher();
  LoadWatcher(const LoadWatcher&) = delete;
  LoadWatcher& operator=(const LoadWatcher&) = delete;

  /// Starts sampling; past `deadline` (time since control.start) it calls `on_deadline` once.
  void start(TrafficControl& control, std::chrono::nanoseconds deadline,
             std::function<void()> on_deadline);
  /// Stops sampling (joins the thread).
  void stop();

  /// The waits seen (valid after stop()).
  const std::vector<LoadWaitSample>& waits() const { return m_waits; }
  std::int64_t samples() const { return m_samples; }

private:
  void run(TrafficControl& control, std::chrono::nanoseconds deadline,
           const std::function<void()>& on_deadline);

  std::unique_ptr<pg::PgSession> m_session;
  std::map<int, int> m_operation_of_pid;
  std::string m_pids; // the traffic's backends as an array literal
  int m_migration_pid;
  std::chrono::milliseconds m_interval;
  std::atomic<bool> m_stop{false};
  std::vector<LoadWaitSample> m_waits;
  std::int64_t m_samples = 0;
  std::thread m_thread;
};

} // namespace preflight::bench
