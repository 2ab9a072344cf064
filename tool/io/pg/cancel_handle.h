#pragma once
// A cancel request for one session, made while the session is at hand and sent later from any
// thread: a watchdog stopping a statement that waits for a lock, a run that ends while a client
// still waits for its reply. libpq's PGcancel is built for exactly that (PQcancel is thread-safe).

#include "io/pg/pg_session.h"

namespace preflight::pg {

class CancelHandle {
public:
  /// Prepares a cancel request for `session`'s current connection (PQgetCancel).
  explicit CancelHandle(PgSession& session);
  ~CancelHandle();
  CancelHandle(const CancelHandle&) = delete;
  CancelHandle& operator=(const CancelHandle&) = delete;

  /// Asks the server to cancel what the session is running; safe from any thread, and does
  /// nothing when the session is idle, gone, or libpq could not prepare the request.
  void cancel() const noexcept;

private:
  pg_cancel* m_cancel;
};

} // namespace preflight::pg
