#include "io/migrate/session_check.h"

#include <string>

#include <fmt/format.h>

namespace preflight::migrate {

namespace {

// The backend's pid and whether that backend holds advisory lock $1 (bigint keys show in pg_locks
// as classid = high 32 bits, objid = low 32 bits, objsubid = 1).
constexpr const char* k_probe =
    "SELECT pg_backend_pid(), EXISTS (SELECT FROM pg_locks WHERE locktype = 'advisory' AND "
    "granted AND pid = pg_backend_pid() AND objsubid = 1 "
    "AND classid = (($1::bigint >> 32) & 4294967295)::oid "
    "AND objid = ($1::bigint & 4294967295)::oid)";

Error pooled(const std::string& evidence) {
  return Error(ErrorKind::usage,
               fmt::format("this connection does not keep its session from one transaction to "
                           "the next ({}): it goes through a pooler in transaction or statement "
                           "mode, where the migration lock and session settings do not hold, so "
                           "concurrent runs could apply a migration twice; nothing was changed",
                           evidence),
               "migrate over a direct connection to PostgreSQL, or through a pool in session "
               "mode (PgBouncer: pool_mode = session for the database preflight connects to)");
}

} // namespace

void check_session_keeps_lock(pg::PgSession& session, std::int64_t key, int backend_pid) {
  const std::string key_text = std::to_string(key);
  // A later transaction of this session: same backend, still holding the lock.
  auto mine = session.exec_params(k_probe, {key_text});
  const std::int64_t pid_now = mine.get_int(0, 0);
  std::string evidence;
  if (pid_now != backend_pid) {
    evidence = fmt::format("the migration lock was taken by server process {}, the next "
                           "statement ran in server process {}",
                           backend_pid, pid_now);
  } else if (!mine.get_bool(0, 1)) {
    evidence =
        fmt::format("server process {} no longer holds the migration lock it took", backend_pid);
  } else {
    // A pool that hands the idle server connection back to whoever asks (PgBouncer's default)
    // passes the check above; a second client would be given the backend this one holds the
    // lock in, while a real session's lock is never visible as another connection's own.
    auto other = session.connect_again("preflight session check");
    auto theirs = other->exec_params(k_probe, {key_text});
    if (theirs.get_int(0, 0) == backend_pid || theirs.get_bool(0, 1)) {
      evidence = fmt::format("another connection was given server process {}, which holds "
                             "this run's migration lock",
                             theirs.get_int(0, 0));
    }
  }
  if (evidence.empty()) return;
  // Best effort: the lock may be on a server connection this statement does not reach.
  session.try_exec_params("SELECT pg_advisory_unlock($1::bigint)", {key_text});
  throw pooled(evidence);
}

} // namespace preflight::migrate
