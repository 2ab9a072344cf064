#include "io/bench/load_watcher.h"

#include <fmt/format.h>

namespace preflight::bench {

namespace {

// Only the traffic's sessions that wait for a heavyweight lock; pg_blocking_pids() runs for those
// alone, so a quiet sample costs one scan of pg_stat_activity and pg_locks.
constexpr const char* k_waits = "SELECT l.pid, coalesce(l.relation::regclass::text, ''), l.mode, "
                                "$2::int = ANY (pg_blocking_pids(l.pid)) "
                                "FROM pg_locks l WHERE NOT l.granted AND l.pid = ANY ($1::int[])";

} // namespace

LoadWatcher::LoadWatcher(pg::PgSession& session, std::map<int, int> operation_of_pid,
                         int migration_pid, std::chrono::milliseconds interval)
    : m_session(session.connect_again("preflight bench load watcher")),
      m_operation_of_pid(std::move(operation_of_pid)), m_migration_pid(migration_pid),
      m_interval(interval) {
  m_pids = "{";
  for (const auto& [pid, operation] : m_operation_of_pid)
    m_pids += (m_pids.size() > 1 ? "," : "") + std::to_string(pid);
  m_pids += "}";
  m_waits.reserve(4096);
}

LoadWatcher::~LoadWatcher() {
  stop();
}

void LoadWatcher::start(TrafficControl& control, std::chrono::nanoseconds deadline,
                        std::function<void()> on_deadline) {
  m_thread = std::thread([this, &control, deadline, on_deadline = std::move(on_deadline)] {
    run(control, deadline, on_deadline);
  });
}

void LoadWatcher::stop() {
  m_stop = true;
  if (m_thread.joinable()) m_thread.join();
}

void LoadWatcher::run(TrafficControl& control, std::chrono::nanoseconds deadline,
                      const std::function<void()>& on_deadline) {
  const std::string migration_pid = std::to_string(m_migration_pid);
  auto next = LoadClock::now();
  auto previous = next;
  bool deadline_called = false;
  bool sampling = true;
  while (!m_stop.load()) {
    const auto now = LoadClock::now();
    if (!deadline_called && now - control.start >= deadline) {
      deadline_called = true;
      on_deadline();
    }
    if (sampling) {
      try {
        auto r = m_session->exec_params(k_waits, {m_pids, migration_pid});
        const double at = std::chrono::duration<double>(now - control.start).count();
        const double interval = std::chrono::duration<double>(now - previous).count();
        for (int i = 0; i < r.rows(); ++i) {
          auto op = m_operation_of_pid.find(static_cast<int>(r.get_int(i, 0)));
          if (op == m_operation_of_pid.end()) continue;
          m_waits.push_back(
              {at, interval, op->second, r.get(i, 1), r.get(i, 2), r.get_bool(i, 3), -1});
        }
        ++m_samples;
      } catch (const Error&) {
        sampling = false; // the watcher's connection is gone: traffic and migration go on
      }
    }
    previous = now;
    next += m_interval;
    // Behind schedule (a busy machine): sample now rather than catch up in a burst.
    if (next < LoadClock::now()) next = LoadClock::now();
    std::this_thread::sleep_until(next);
  }
}

} // namespace preflight::bench
