#include "io/migrate/lock_trace.h"

#include <algorithm>
#include <string>

namespace preflight::migrate {

namespace {

const char* direction_name(Direction direction) {
  return direction == Direction::up ? "up" : "down";
}

const Script& script_of(const Migration& migration, Direction direction) {
  return direction == Direction::up ? migration.up : *migration.down;
}

// Only this backend's granted relation locks in this database; other sessions are not ours.
constexpr const char* k_held_locks =
    "SELECT l.relation::bigint, l.mode FROM pg_locks l "
    "WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted "
    "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())";

} // namespace

LockTracer::LockTracer(pg::PgSession& session, std::int64_t threshold_ns)
    : m_session(session), m_threshold_ns(threshold_ns) {
  m_trace.threshold_ns = threshold_ns;
}

void LockTracer::before_migration(const Migration& migration, Direction direction) {
  m_first = m_trace.statements.size();
  m_index = 0;
  m_script = &script_of(migration, direction);
  m_direction = direction_name(direction);
  m_untraceable = m_script->no_transaction;
  m_relations.clear();
  m_held.clear();
  // User tables as they are before the migration. pg_total_relation_size takes ACCESS SHARE on
  // each table, which only conflicts with ACCESS EXCLUSIVE and is taken before any statement, so
  // it is part of the "held before" set and never attributed to a statement.
  auto tables = m_session.exec(
      "SELECT c.oid::bigint, c.oid::regclass::text, c.relfilenode::bigint, c.reltuples::float8, "
      "pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN ('pg_catalog', "
      "'information_schema') "
      "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'");
  m_oids = "{";
  for (int i = 0; i < tables.rows(); ++i) {
    const std::int64_t oid = tables.get_int(i, 0);
    m_relations[oid] = Relation{tables.get(i, 1), tables.get_int(i, 2), std::stod(tables.get(i, 3)),
                                tables.get_int(i, 4)};
    m_oids += (i ? "," : "") + std::to_string(oid);
  }
  m_oids += "}";
  auto held = m_session.exec(k_held_locks);
  for (int i = 0; i < held.rows(); ++i) {
    if (auto mode = lock_mode_from_pg(held.get(i, 1))) m_held.insert({held.get_int(i, 0), *mode});
  }
}

TracedStatement LockTracer::next_record(const Migration& migration, const sql::Statement& statement,
                                        std::int64_t duration_ns) {
  // The statement belongs to the script before_migration saw (up or down).
  const Script& script = m_script ? *m_script : migration.up;
  auto record = statement_record(migration.version, m_direction, ++m_index, script.path, script.sql,
                                 statement);
  record.duration_ns = duration_ns;
  return record;
}

void LockTracer::after_statement(const Migration& migration, const sql::Statement& statement,
                                 std::int64_t duration_ns) {
  auto record = next_record(migration, statement, duration_ns);
  if (m_untraceable) {
    record.traced = false;
    record.note = "-- no-transaction: each statement commits on its own, so its locks end with it";
    m_trace.statements.push_back(std::move(record));
    return;
  }
  auto rows =
      m_session.exec_params(std::string("SELECT 'lock', relation, mode FROM (") + k_held_locks +
                                ") l WHERE relation = ANY($1::oid[]::bigint[]) "
                                "UNION ALL SELECT 'file', c.oid::bigint, c.relfilenode::text FROM "
                                "pg_class c WHERE c.oid = ANY($1::oid[])",
                            {m_oids});
  std::map<std::int64_t, TracedLock> found; // strongest new lock per relation
  std::set<std::int64_t> rewritten;
  for (int i = 0; i < rows.rows(); ++i) {
    const std::int64_t oid = rows.get_int(i, 1);
    auto relation = m_relations.find(oid);
    if (relation == m_relations.end()) continue;
    if (rows.get(i, 0) == "file") {
      const std::int64_t node = std::stoll(rows.get(i, 2));
      if (node != relation->second.relfilenode) {
        rewritten.insert(oid);
        relation->second.relfilenode = node;
      }
      continue;
    }
    auto mode = lock_mode_from_pg(rows.get(i, 2));
    if (!mode || !m_held.insert({oid, *mode}).second) continue;
    auto [it, added] = found.try_emplace(oid, TracedLock{relation->second.name,
                                                         *mode,
                                                         false,
                                                         relation->second.rows,
                                                         relation->second.size_bytes,
                                                         0,
                                                         false,
                                                         {}});
    if (!added) it->second.mode = std::max(it->second.mode, *mode);
  }
  for (std::int64_t oid : rewritten) {
    auto it = found.find(oid);
    if (it == found.end()) {
      // The lock was already held (e.g. by an earlier statement); report the strongest one.
      LockMode strongest = LockMode::access_share;
      for (const auto& [held_oid, mode] : m_held) {
        if (held_oid == oid) strongest = std::max(strongest, mode);
      }
      const Relation& r = m_relations[oid];
      it = found
               .emplace(oid,
                        TracedLock{r.name, strongest, false, r.rows, r.size_bytes, 0, false, {}})
               .first;
    }
    it->second.rewrite = true;
  }
  for (auto& [oid, lock] : found) record.locks.push_back(std::move(lock));
  std::sort(record.locks.begin(), record.locks.end(), [](const TracedLock& a, const TracedLock& b) {
    return a.mode > b.mode || (a.mode == b.mode && a.relation < b.relation);
  });
  m_trace.statements.push_back(std::move(record));
}

void LockTracer::after_migration(const Migration& /*migration*/, Direction /*direction*/) {
  finish_migration(m_trace.statements, m_first, m_threshold_ns);
}

void LockTracer::statement_failed(const Migration& migration, const sql::Statement& statement,
                                  std::int64_t duration_ns) {
  auto record = next_record(migration, statement, duration_ns);
  record.failed = true;
  record.traced = !m_untraceable;
  record.note = "the locks it took are not known (its transaction was aborted)";
  m_trace.statements.push_back(std::move(record));
  // The locks taken so far were held until here: the migration ends with this statement.
  if (!m_untraceable) finish_migration(m_trace.statements, m_first, m_threshold_ns);
}

void LockTracer::not_executed(const Migration& migration, Direction direction) {
  const Script& script = script_of(migration, direction);
  for (auto& record :
       untraced_statements(migration.version, direction_name(direction), script.path, script.sql,
                           "-- no-transaction migration: a dry run does not execute it")) {
    m_trace.statements.push_back(std::move(record));
  }
}

} // namespace preflight::migrate
