#include "io/migrate/blocker_watcher.h"

#include <fmt/format.h>

namespace preflight::migrate {

BlockerWatcher::BlockerWatcher(pg::PgSession& session, std::chrono::milliseconds interval)
    : m_watched_pid(session.backend_pid()), m_interval(interval) {
  try {
    m_watcher = session.connect_again("preflight lock watcher");
  } catch (const Error&) {
    return; // no second connection (e.g. connection limit): run without blocker names
  }
  m_thread = std::thread([this] { poll_loop(); });
}

BlockerWatcher::~BlockerWatcher() {
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
  }
  m_wake.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

void BlockerWatcher::reset() {
  std::lock_guard lock(m_mutex);
  m_last.clear();
}

std::vector<Blocker> BlockerWatcher::last_blockers() const {
  std::lock_guard lock(m_mutex);
  return m_last;
}

void BlockerWatcher::poll_loop() {
  const std::string pid = std::to_string(m_watched_pid);
  std::unique_lock lock(m_mutex);
  while (!m_stop) {
    lock.unlock();
    std::vector<Blocker> seen;
    try {
      auto r = m_watcher->exec_params(
          "SELECT a.pid, coalesce(a.application_name, ''), coalesce(a.state, ''), "
          "left(regexp_replace(coalesce(a.query, ''), '\\s+', ' ', 'g'), 200) "
          "FROM pg_stat_activity a WHERE a.pid = ANY (pg_blocking_pids($1::int)) ORDER BY a.pid",
          {pid});
      for (int i = 0; i < r.rows(); ++i) {
        seen.push_back({static_cast<int>(r.get_int(i, 0)), r.get(i, 1), r.get(i, 2), r.get(i, 3)});
      }
    } catch (const Error&) {
      return; // the watcher's connection is gone; the migration itself is unaffected
    }
    lock.lock();
    if (!seen.empty()) m_last = std::move(seen);
    m_wake.wait_for(lock, m_interval, [this] { return m_stop; });
  }
}

std::string describe(const std::vector<Blocker>& blockers) {
  std::string text;
  for (const auto& b : blockers) {
    if (!text.empty()) text += "\n";
    text += fmt::format("pid {} (application_name \"{}\", state \"{}\"): {}", b.pid,
                        b.application_name, b.state, b.query);
  }
  return text;
}

} // namespace preflight::migrate
