#pragma once
// The migration advisory lock, with sqlx's key, taken by polling pg_try_advisory_lock: a session
// blocked in pg_advisory_lock holds a snapshot that a concurrent CREATE INDEX CONCURRENTLY waits
// for, which PostgreSQL reports as a deadlock (reproduced on PostgreSQL 15).

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "io/pg/pg_session.h"

namespace preflight::migrate {

class MigrationLock {
public:
  /// Called (at most every few seconds) while waiting, with who holds the lock.
  using WaitCallback = std::function<void(const std::string& holder)>;

  /// Takes the lock for `session`'s database; throws Error(problem) naming the holder when
  /// `max_wait` passes first.
  MigrationLock(pg::PgSession& session, std::chrono::milliseconds max_wait,
                const WaitCallback& on_wait);
  /// Takes advisory lock `key` instead (another tool's migration lock), likewise.
  MigrationLock(pg::PgSession& session, std::int64_t lock_key, std::chrono::milliseconds max_wait,
                const WaitCallback& on_wait);
  /// Releases the lock (also when unwinding from an error).
  ~MigrationLock();
  MigrationLock(const MigrationLock&) = delete;
  MigrationLock& operator=(const MigrationLock&) = delete;

  std::int64_t key() const { return m_key; }

private:
  pg::PgSession& m_session;
  std::int64_t m_key;
};

/// "pid 123 (application_name \"x\", since 2026-…)" for the session holding advisory lock `key`,
/// or "" if none.
std::string describe_lock_holder(pg::PgSession& session, std::int64_t key);

} // namespace preflight::migrate
