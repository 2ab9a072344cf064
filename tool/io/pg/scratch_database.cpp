#include "io/pg/scratch_database.h"

namespace preflight::pg {

ScratchDatabase::ScratchDatabase(PgSession& admin, std::string name,
                                 const std::string& application_name)
    : m_admin(admin), m_name(std::move(name)) {
  m_admin.exec("CREATE DATABASE " + m_admin.quote_name(m_name));
  try {
    m_session = m_admin.connect_again(application_name, m_name);
  } catch (...) {
    m_admin.try_exec("DROP DATABASE IF EXISTS " + m_admin.quote_name(m_name));
    throw;
  }
}

ScratchDatabase::~ScratchDatabase() {
  m_session.reset();
  try {
    m_admin.try_exec("DROP DATABASE IF EXISTS " + m_admin.quote_name(m_name) + " WITH (FORCE)");
  } catch (...) {
    // The server is gone (e.g. a throwaway cluster stopped first): nothing left to drop.
  }
}

} // namespace preflight::pg
