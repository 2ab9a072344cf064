#include "io/bench/migration_trace.h"

#include <algorithm>
#include <cctype>

#include "core/sql/text_position.h"

namespace preflight::bench {

void MigrationTrace::before_migration(const migrate::Migration&, migrate::Direction) {
  m_held = nlohmann::json::array();
}

void MigrationTrace::after_statement(const migrate::Migration& migration, const sql::Statement& statement,
                                     std::int64_t duration_ns) {
  // Locks are held to the end of the transaction, so a statement's locks are the ones that were
  // not there after the previous statement. Catalog relations are PostgreSQL's own business.
  auto rows = m_session.exec(
      "SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
      "WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted "
      "AND c.relnamespace <> 'pg_catalog'::regnamespace ORDER BY 1, 2");
  nlohmann::json locks = nlohmann::json::array();
  for (int r = 0; r < rows.rows(); ++r) {
    nlohmann::json lock{{"relation", rows.get(r, 0)}, {"mode", rows.get(r, 1)}};
    if (std::find(m_held.begin(), m_held.end(), lock) == m_held.end()) {
      m_held.push_back(lock);
      locks.push_back(std::move(lock));
    }
  }
  // The parser's statement text starts with any comments before it; report the SQL's own line.
  std::size_t skip = 0;
  const std::string& text = statement.text;
  while (skip < text.size()) {
    if (std::isspace(static_cast<unsigned char>(text[skip]))) {
      ++skip;
    } else if (text.compare(skip, 2, "--") == 0) {
      auto end = text.find('\n', skip);
      skip = end == std::string::npos ? text.size() : end + 1;
    } else {
      break;
    }
  }
  auto at = sql::line_column_at(migration.up.sql, statement.offset + skip);
  m_trace.push_back({{"version", migration.version},
                     {"statement", text.substr(skip)},
                     {"line", at.line},
                     {"duration_ns", duration_ns},
                     {"locks", std::move(locks)}});
}

}  // namespace preflight::bench
