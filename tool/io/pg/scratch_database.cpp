#include "io/pg/scratch_database.h"

#include <optional>

#include <fmt/format.h>

namespace preflight::pg {

namespace {

// A new database (also one made with TEMPLATE) has none of the `ALTER DATABASE … SET` defaults
// of the database it stands in for, so plan_cache_mode, work_mem, random_page_cost, … would
// differ between the phases. Copies those of `from`'s database, and those of its role in that
// database, to `to` before anyone connects to it. Each value goes through set_config() and
// `SET … FROM CURRENT`, which takes the setting's text exactly as PostgreSQL stored it (lists
// such as search_path included); `from`'s own session setting is restored afterwards.
void copy_database_settings(PgSession& from, const std::string& to) {
  auto settings = from.exec_params(
      "SELECT s.setrole <> 0, split_part(c, '=', 1), substr(c, strpos(c, '=') + 1) "
      "FROM pg_db_role_setting s, unnest(s.setconfig) c "
      "WHERE s.setdatabase = (SELECT oid FROM pg_database WHERE datname = $1) "
      "AND s.setrole IN (0, (SELECT oid FROM pg_roles WHERE rolname = current_user)) "
      "ORDER BY s.setrole",
      {from.database_name()});
  for (int i = 0; i < settings.rows(); ++i) {
    const std::string name = settings.get(i, 1);
    auto current = from.try_exec_params("SELECT current_setting($1, true)", {name});
    if (!current.ok() ||
        !from.try_exec_params("SELECT set_config($1, $2, false)", {name, settings.get(i, 2)}).ok())
      continue; // a setting this role may not set: the new database keeps the server's
    const std::string target = settings.get_bool(i, 0)
                                   ? "ROLE CURRENT_USER IN DATABASE " + from.quote_name(to)
                                   : "DATABASE " + from.quote_name(to);
    from.try_exec(fmt::format("ALTER {} SET {} FROM CURRENT", target, from.quote_name(name)));
    if (current.result.rows() == 1 && !current.result.is_null(0, 0))
      from.try_exec_params("SELECT set_config($1, $2, false)", {name, current.result.get(0, 0)});
  }
}

} // namespace

ScratchDatabase::ScratchDatabase(PgSession& admin, std::string name,
                                 const std::string& application_name)
    : m_admin(admin), m_name(std::move(name)) {
  m_admin.exec("CREATE DATABASE " + m_admin.quote_name(m_name));
  try {
    copy_database_settings(m_admin, m_name);
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
    copy_database_settings(m_admin, m_name);
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

std::unique_ptr<ScratchDatabase> ScratchDatabase::empty_like(PgSession& source, std::string name,
                                                             const std::string& application_name) {
  auto db = source.exec("SELECT pg_encoding_to_char(encoding), datcollate, datctype FROM "
                        "pg_database WHERE datname = current_database()");
  const std::string plain =
      fmt::format("CREATE DATABASE {} TEMPLATE template0", source.quote_name(name));
  // A locale the server does not know for this encoding is refused: fall back to its defaults.
  if (!source
           .try_exec(fmt::format("{} ENCODING {} LC_COLLATE {} LC_CTYPE {}", plain,
                                 source.quote_literal(db.get(0, 0)),
                                 source.quote_literal(db.get(0, 1)),
                                 source.quote_literal(db.get(0, 2))))
           .ok())
    source.exec(plain);
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
