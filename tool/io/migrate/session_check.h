#pragma once
// Refuses connections whose session does not last from one transaction to the next — a pooler in
// transaction or statement mode (PgBouncer pool_mode = transaction): there, the session advisory
// lock that keeps two runs apart and the session settings of a -- no-transaction migration may
// be on another server connection by the next statement, so concurrent runs could race.

#include <cstdint>

#include "io/pg/pg_session.h"

namespace preflight::migrate {

/// Checks, after `session` took advisory lock `key` in a statement run by backend
/// `backend_pid`, that a later transaction of the session still runs on that backend holding the
/// lock, and that another connection to the same place does not land on it; throws
/// Error(usage) saying why and what to connect to instead when either fails.
void check_session_keeps_lock(pg::PgSession& session, std::int64_t key, int backend_pid);

} // namespace preflight::migrate
