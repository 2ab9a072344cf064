#include "io/pg/cancel_handle.h"

#include <libpq-fe.h>

namespace preflight::pg {

CancelHandle::CancelHandle(PgSession& session) : m_cancel(PQgetCancel(session.raw())) {}

CancelHandle::~CancelHandle() {
  if (m_cancel) PQfreeCancel(m_cancel);
}

void CancelHandle::cancel() const noexcept {
  if (!m_cancel) return;
  // A request that does not arrive changes nothing: the statement then ends on its own.
  char error[256];
  PQcancel(m_cancel, error, sizeof error);
}

} // namespace preflight::pg
