#include "io/migrate/migration_lock.h"

#include <algorithm>
#include <thread>

#include <fmt/format.h>

#include "core/migrate/lock_key.h"
#include "io/migrate/session_check.h"

namespace preflight::migrate {

std::string describe_lock_holder(pg::PgSession& session, std::int64_t key) {
  // An advisory lock on a bigint key shows in pg_locks as classid = high 32 bits,
  // objid = low 32 bits, objsubid = 1.
  auto r = session.exec_params(
      "SELECT l.pid, coalesce(a.application_name, ''), "
      "coalesce(to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS UTC'), '?'), "
      "coalesce(a.state, '') "
      "FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid "
      "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
      "AND l.classid = (($1::bigint >> 32) & 4294967295)::oid "
      "AND l.objid = ($1::bigint & 4294967295)::oid "
      "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
      {std::to_string(key)});
  if (r.rows() == 0) return {};
  return fmt::format("pid {} (application_name \"{}\", connected since {}, {})", r.get(0, 0),
                     r.get(0, 1), r.get(0, 2), r.get(0, 3));
}

MigrationLock::MigrationLock(pg::PgSession& session, std::chrono::milliseconds max_wait,
                             const WaitCallback& on_wait)
    : MigrationLock(session, migration_lock_key(session.database_name()), max_wait, on_wait) {}

MigrationLock::MigrationLock(pg::PgSession& session, std::int64_t lock_key,
                             std::chrono::milliseconds max_wait, const WaitCallback& on_wait)
    : m_session(session), m_key(lock_key) {
  const auto start = std::chrono::steady_clock::now();
  auto next_report = start;
  auto pause = std::chrono::milliseconds(10);
  const std::string key = std::to_string(m_key);
  for (;;) {
    auto taken =
        m_session.exec_params("SELECT pg_try_advisory_lock($1::bigint), pg_backend_pid()", {key});
    if (taken.get_bool(0, 0)) {
      check_session_keeps_lock(m_session, m_key, static_cast<int>(taken.get_int(0, 1)));
      return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - start >= max_wait) {
      auto holder = describe_lock_holder(m_session, m_key);
      throw Error(ErrorKind::problem,
                  fmt::format("gave up waiting {:g} s for the migration lock held by {}",
                              static_cast<double>(max_wait.count()) / 1000.0,
                              holder.empty() ? "another session" : holder),
                  "another migration is running; wait for it, or raise --lock-wait");
    }
    if (on_wait && now >= next_report) {
      on_wait(describe_lock_holder(m_session, m_key));
      next_report = now + std::chrono::seconds(5);
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(500));
  }
}

MigrationLock::~MigrationLock() {
  try {
    m_session.exec_params("SELECT pg_advisory_unlock($1::bigint)", {std::to_string(m_key)});
  } catch (...) {
    // The server releases session locks when the connection closes.
  }
}

} // namespace preflight::migrate
