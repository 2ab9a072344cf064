#include "io/pg/scratch_database.h"

#include <optional>

#include <fmt/format.h>

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

ScratchDatabase::ScratchDatabase(PgSession& admin, std::string name,
                                 const std::string& application_name, Created)
    : m_admin(admin), m_name(std::move(name)) {
  try {
    m_session = m_admin.connect_again(application_name, m_name);
  } catch (...) {
    m_admin.try_exec("DROP DATABASE IF EXISTS " + m_admin.quote_name(m_name));
    throw;
  }
}

std::unique_ptr<ScratchDatabase> ScratchDatabase::copy_of(PgSession& source, std::string name,
                                                          const std::string& application_name,
                                                          std::string& why_not) {
  // CREATE DATABASE runs from another database: the source must have no session at all.
  std::unique_ptr<PgSession> elsewhere;
  for (const char* database : {"postgres", "template1"}) {
    try {
      elsewhere = source.connect_again(application_name, database);
      break;
    } catch (const Error& e) {
      why_not = e.message();
    }
  }
  if (!elsewhere) return nullptr;
  const std::string sql = fmt::format("CREATE DATABASE {} TEMPLATE {}", source.quote_name(name),
                                      source.quote_name(source.database_name()));
  std::optional<SqlFailure> refused;
  source.step_away([&] { refused = elsewhere->try_exec(sql).failure; });
  if (refused) {
    why_not = refused->message;
    return nullptr;
  }
  return std::unique_ptr<ScratchDatabase>(
      new ScratchDatabase(source, std::move(name), application_name, Created{}));
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
