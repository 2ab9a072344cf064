#include "io/migrate/lock_space.h"

namespace preflight::migrate {

LockSpace read_lock_space(pg::PgSession& session) {
  auto r =
      session.exec("SELECT current_setting('max_locks_per_transaction')::bigint, "
                   "current_setting('max_connections')::bigint, "
                   "current_setting('max_prepared_transactions')::bigint, "
                   "(SELECT count(*) FROM pg_locks WHERE NOT fastpath AND pid IS DISTINCT FROM "
                   "pg_backend_pid())");
  LockSpace space;
  space.max_locks_per_transaction = r.get_int(0, 0);
  space.max_connections = r.get_int(0, 1);
  space.max_prepared_transactions = r.get_int(0, 2);
  space.held_by_others = r.get_int(0, 3);
  return space;
}

std::int64_t count_dependent_relations(pg::PgSession& session, const std::set<std::string>& named) {
  if (named.empty()) return 0;
  // One array literal of the names: to_regclass resolves each through search_path, as the
  // migration will, and yields NULL for names that do not exist (yet).
  std::string names = "{";
  for (const auto& name : named) {
    if (names.size() > 1) names += ',';
    names += '"';
    for (char c : name) {
      if (c == '"' || c == '\\') names += '\\';
      names += c;
    }
    names += '"';
  }
  names += '}';
  auto r = session.exec_params(
      "WITH rel AS (SELECT DISTINCT to_regclass(n) AS oid FROM unnest($1::text[]) n) "
      "SELECT coalesce(sum("
      "(SELECT count(*) FROM pg_index i WHERE i.indrelid = rel.oid) "
      "+ (SELECT CASE WHEN c.reltoastrelid <> 0 THEN 2 ELSE 0 END FROM pg_class c "
      "WHERE c.oid = rel.oid) "
      "+ (SELECT count(*) FROM pg_depend d JOIN pg_class s ON s.oid = d.objid "
      "AND s.relkind = 'S' WHERE d.classid = 'pg_class'::regclass AND d.refobjid = rel.oid "
      "AND d.deptype IN ('a', 'i'))), 0)::bigint "
      "FROM rel WHERE rel.oid IS NOT NULL",
      {names});
  return r.get_int(0, 0);
}

} // namespace preflight::migrate
