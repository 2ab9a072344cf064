#pragma once
// Traces the locks each migration statement takes, from inside the migration's transaction:
// after every statement it reads pg_locks for this backend and pg_class.relfilenode for the
// relations that existed before the migration (a new relfilenode means a rewrite).

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "core/migrate/lock_trace.h"
#include "io/migrate/migrator.h"
#include "io/pg/pg_session.h"

namespace preflight::migrate {

class LockTracer : public StatementObserver {
public:
  /// Traces on `session` (the migrator's); locks held longer than `threshold_ns` are flagged.
  LockTracer(pg::PgSession& session, std::int64_t threshold_ns = k_default_lock_threshold_ns);

  void before_migration(const Migration& migration, Direction direction) override;
  void after_statement(const Migration& migration, const sql::Statement& statement,
                       std::int64_t duration_ns) override;
  void after_migration(const Migration& migration, Direction direction) override;
  void statement_failed(const Migration& migration, const sql::Statement& statement,
                        std::int64_t duration_ns) override;

  /// Lists a migration the migrator did not execute (a dry run of a -- no-transaction file).
  void not_executed(const Migration& migration, Direction direction);

  /// Everything traced so far.
  const LockTrace& trace() const { return m_trace; }

private:
  /// The record of the migration's next statement, timed; not yet traced.
  TracedStatement next_record(const Migration& migration, const sql::Statement& statement,
                              std::int64_t duration_ns);

  struct Relation {
    std::string name;
    std::int64_t relfilenode = 0;
    double rows = 0;
    std::int64_t size_bytes = 0;
  };

  std::map<std::int64_t, Relation> m_relations;       // by oid, as they were before the migration
  std::set<std::pair<std::int64_t, LockMode>> m_held; // relation locks this backend holds
  std::string m_oids;                                 // m_relations' oids as an array literal
  std::size_t m_first = 0;                            // the migration's first record
  std::size_t m_index = 0;                            // statements seen in this migration
  const Script* m_script = nullptr;                   // the script being run
  std::string m_direction;                            // "up" or "down"
  bool m_untraceable = false; // -- no-transaction: locks end with each statement
  pg::PgSession& m_session;
  std::int64_t m_threshold_ns;
  LockTrace m_trace;
};

} // namespace preflight::migrate
