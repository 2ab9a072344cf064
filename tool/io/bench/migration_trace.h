#pragma once
// A small statement observer for the benchmark's migration step: each statement's duration and
// the relation locks it added (from pg_locks, inside the migration's transaction).

#include <nlohmann/json.hpp>

#include "io/migrate/migrator.h"

namespace preflight::bench {

class MigrationTrace : public migrate::StatementObserver {
public:
  explicit MigrationTrace(pg::PgSession& session) : m_session(session) {}

  void before_migration(const migrate::Migration& migration, migrate::Direction direction) override;
  void after_statement(const migrate::Migration& migration, const sql::Statement& statement,
                       std::int64_t duration_ns) override;

  /// [{version, statement, line, duration_ns, locks: [{relation, mode}]}], in execution order.
  const nlohmann::json& trace() const { return m_trace; }

private:
  pg::PgSession& m_session;
  nlohmann::json m_trace = nlohmann::json::array();
  nlohmann::json m_held = nlohmann::json::array();  // locks seen so far in this migration
};

}  // namespace preflight::bench
