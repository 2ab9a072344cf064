#pragma once
// Who blocks a migration statement: a second connection polls pg_blocking_pids() of the
// migrating backend while migrations run with lock_timeout, so that a lock timeout (SQLSTATE
// 55P03) can name the blocking sessions. Once the statement has failed it no longer waits, so
// asking afterwards would find nobody; the watcher remembers what it saw while it waited.

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "io/pg/pg_session.h"

namespace preflight::migrate {

struct Blocker {
  int pid = 0;
  std::string application_name;
  std::string state;
  std::string query; // whitespace collapsed, at most 200 characters
};

class BlockerWatcher {
public:
  /// Opens a second connection like `session`'s and starts polling every `interval`; a failure
  /// to connect or poll only disables the watcher (it is a diagnostic, never a reason to fail).
  explicit BlockerWatcher(pg::PgSession& session,
                          std::chrono::milliseconds interval = std::chrono::milliseconds(100));
  /// Stops polling and closes the second connection.
  ~BlockerWatcher();
  BlockerWatcher(const BlockerWatcher&) = delete;
  BlockerWatcher& operator=(const BlockerWatcher&) = delete;

  /// Forgets what was seen so far (called before each migration).
  void reset();
  /// The blockers seen at the last poll that found any since reset().
  std::vector<Blocker> last_blockers() const;

private:
  void poll_loop();

  std::unique_ptr<pg::PgSession> m_watcher;
  int m_watched_pid;
  std::chrono::milliseconds m_interval;
  mutable std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_stop = false;
  std::vector<Blocker> m_last;
  std::thread m_thread;
};

/// "pid 123 (application_name \"psql\", state \"idle in transaction\"): LOCK TABLE t", one line
/// per blocker.
std::string describe(const std::vector<Blocker>& blockers);

} // namespace preflight::migrate
