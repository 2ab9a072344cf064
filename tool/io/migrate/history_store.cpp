#include "io/migrate/history_store.h"

#include <fmt/format.h>

namespace preflight::migrate {

HistoryStore::HistoryStore(pg::PgSession& session, const std::string& table) : m_session(session) {
  auto dot = table.find('.');
  if (table.empty() || (dot != std::string::npos && (dot == 0 || dot + 1 == table.size() ||
                                                     table.find('.', dot + 1) != std::string::npos))) {
    throw Error(ErrorKind::usage, fmt::format("history table name \"{}\" is not [schema.]table", table));
  }
  m_table = dot == std::string::npos
                ? session.quote_name(table)
                : session.quote_name(table.substr(0, dot)) + "." + session.quote_name(table.substr(dot + 1));
}

bool HistoryStore::exists() {
  auto r = m_session.exec_params("SELECT to_regclass($1) IS NOT NULL", {m_table});
  return r.get_bool(0, 0);
}

void HistoryStore::ensure() {
  // sqlx's definition, column for column (sqlx-postgres migrate.rs, ensure_migrations_table).
  m_session.exec(fmt::format(R"(CREATE TABLE IF NOT EXISTS {} (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),
    success BOOLEAN NOT NULL,
    checksum BYTEA NOT NULL,
    execution_time BIGINT NOT NULL
))",
                             m_table));
}

std::vector<AppliedMigration> HistoryStore::list() {
  std::vector<AppliedMigration> rows;
  if (!exists()) return rows;
  auto r = m_session.exec(fmt::format(
      "SELECT version, description, "
      "to_char(installed_on AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), success, "
      "encode(checksum, 'hex'), execution_time FROM {} ORDER BY version",
      m_table));
  rows.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    rows.push_back({r.get_int(i, 0), r.get(i, 1), r.get(i, 2), r.get_bool(i, 3), from_hex(r.view(i, 4)),
                    r.get_int(i, 5)});
  }
  return rows;
}

void HistoryStore::insert(const Migration& migration, bool success, std::int64_t execution_time_ns) {
  m_session.exec_params(
      fmt::format("INSERT INTO {} (version, description, success, checksum, execution_time) "
                  "VALUES ($1, $2, $3, decode($4, 'hex'), $5)",
                  m_table),
      {std::to_string(migration.version), migration.description, success ? "true" : "false",
       to_hex(migration.checksum), std::to_string(execution_time_ns)});
}

std::string HistoryStore::insert_statement(const Migration& migration, bool success,
                                           std::int64_t execution_time_ns) {
  return fmt::format("INSERT INTO {} (version, description, success, checksum, execution_time) "
                     "VALUES ({}, {}, {}, decode('{}', 'hex'), {})",
                     m_table, migration.version, m_session.quote_literal(migration.description),
                     success ? "true" : "false", to_hex(migration.checksum), execution_time_ns);
}

void HistoryStore::finish(std::int64_t version, bool success, std::int64_t execution_time_ns) {
  m_session.exec_params(
      fmt::format("UPDATE {} SET execution_time = $2, success = $3 WHERE version = $1", m_table),
      {std::to_string(version), std::to_string(execution_time_ns), success ? "true" : "false"});
}

void HistoryStore::remove(std::int64_t version) {
  m_session.exec_params(fmt::format("DELETE FROM {} WHERE version = $1", m_table), {std::to_string(version)});
}

void HistoryStore::update_checksum(std::int64_t version, const Checksum& checksum) {
  m_session.exec_params(fmt::format("UPDATE {} SET checksum = decode($2, 'hex') WHERE version = $1", m_table),
                        {std::to_string(version), to_hex(checksum)});
}

}  // namespace preflight::migrate
