#include "io/drift/catalog_reader.h"

#include <map>
#include <set>

#include <fmt/format.h>

namespace preflight::drift {

namespace {

// Objects of users' schemas that no extension owns. `c` is a pg_class row, `n` its schema.
constexpr const char* k_user_schema = "n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'";

std::string not_extension_member(const char* catalog, const char* oid) {
  return fmt::format("NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '{}'::regclass AND "
                     "e.objid = {} AND e.deptype = 'e')",
                     catalog, oid);
}

std::string user_relation() {
  return std::string(k_user_schema) + " AND " + not_extension_member("pg_class", "c.oid");
}

std::optional<std::string> optional(const pg::PgResult& r, int row, int column) {
  return r.get_optional(row, column);
}

char first(const pg::PgResult& r, int row, int column) {
  auto v = r.view(row, column);
  return v.empty() ? '\0' : v.front();
}

// pg_get_constraintdef() appends these in this order (ruleutils.c); they are compared apart.
std::string strip_suffix(std::string text, std::string_view suffix, bool present) {
  if (present && text.ends_with(suffix)) text.resize(text.size() - suffix.size());
  return text;
}

struct HistoryName {
  std::string schema; // "" when unqualified
  std::string table;
  bool matches(const std::string& s, const std::string& t) const {
    return t == table && (schema.empty() || schema == s);
  }
};

HistoryName history_name(const std::string& configured) {
  auto dot = configured.find('.');
  if (dot == std::string::npos) return {"", configured};
  return {configured.substr(0, dot), configured.substr(dot + 1)};
}

class Reader {
public:
  Reader(pg::PgSession& session, const std::string& history)
      : m_session(session), m_history(history_name(history)) {}

  Catalog read() {
    Catalog catalog;
    catalog.server_version = m_session.server_version();
    schemas(catalog);
    relations(catalog);
    columns(catalog);
    constraints(catalog);
    indexes(catalog);
    sequences(catalog);
    functions(catalog);
    triggers(catalog);
    enums(catalog);
    extensions(catalog);
    return catalog;
  }

private:
  void schemas(Catalog& catalog) {
    auto r = m_session.exec(
        "SELECT n.nspname, quote_ident(n.nspname), d.description FROM pg_namespace n "
        "LEFT JOIN pg_description d ON d.objoid = n.oid AND d.classoid = "
        "'pg_namespace'::regclass WHERE " +
        std::string(k_user_schema) + " AND " + not_extension_member("pg_namespace", "n.oid"));
    for (int i = 0; i < r.rows(); ++i) {
      catalog.schemas[r.get(i, 0)] = Schema{r.get(i, 0), r.get(i, 1), optional(r, i, 2)};
    }
  }

  void relations(Catalog& catalog) {
    auto r = m_session.exec(
        "SELECT c.oid, n.nspname, c.relname, format('%I.%I', n.nspname, c.relname), c.relkind, "
        "c.relpersistence = 'u', "
        "CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) ELSE '' END, "
        "CASE WHEN c.relispartition THEN (SELECT format('%s.%s', pn.nspname, pc.relname) "
        "FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhparent JOIN pg_namespace pn "
        "ON pn.oid = pc.relnamespace WHERE i.inhrelid = c.oid LIMIT 1) ELSE '' END, "
        "CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) ELSE '' END, "
        "CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) ELSE '' END, "
        "d.description "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "LEFT JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass "
        "AND d.objsubid = 0 "
        "WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm') AND " +
        user_relation());
    for (int i = 0; i < r.rows(); ++i) {
      const std::string schema = r.get(i, 1), name = r.get(i, 2);
      const std::string key = schema + "." + name;
      const char kind = first(r, i, 4);
      if (kind == 'v' || kind == 'm') {
        catalog.views[key] =
            View{schema, name, r.get(i, 3), kind == 'm', r.get(i, 9), optional(r, i, 10)};
        continue;
      }
      if (m_history.matches(schema, name)) {
        m_history_tables.insert(key);
        continue;
      }
      Table t;
      t.schema = schema;
      t.name = name;
      t.sql_name = r.get(i, 3);
      t.kind = kind;
      t.unlogged = r.get_bool(i, 5);
      t.partition_key = r.get(i, 6);
      t.partition_of = r.get(i, 7);
      t.partition_bound = r.get(i, 8);
      t.comment = optional(r, i, 10);
      m_tables_by_oid[r.get(i, 0)] = key;
      catalog.tables[key] = std::move(t);
    }
  }

  Table* table_of(Catalog& catalog, const std::string& oid) {
    auto found = m_tables_by_oid.find(oid);
    return found == m_tables_by_oid.end() ? nullptr : &catalog.tables[found->second];
  }

  void columns(Catalog& catalog) {
    auto r = m_session.exec(
        "SELECT a.attrelid, a.attname, quote_ident(a.attname), "
        "format_type(a.atttypid, a.atttypmod), a.attnotnull, "
        "CASE WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, ad.adrelid) END, "
        "CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation "
        "THEN format('%I.%I', cn.nspname, co.collname) ELSE '' END, "
        "CASE a.attidentity WHEN 'a' THEN 'ALWAYS' WHEN 'd' THEN 'BY DEFAULT' ELSE '' END, "
        "CASE WHEN a.attgenerated <> '' THEN pg_get_expr(ad.adbin, ad.adrelid) ELSE '' END, "
        "d.description "
        "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_type t ON t.oid = a.atttypid "
        "LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum "
        "LEFT JOIN pg_collation co ON co.oid = a.attcollation "
        "LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace "
        "LEFT JOIN pg_description d ON d.objoid = a.attrelid AND d.classoid = "
        "'pg_class'::regclass AND d.objsubid = a.attnum "
        "WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'f') AND " +
        user_relation() + " ORDER BY a.attrelid, a.attnum");
    for (int i = 0; i < r.rows(); ++i) {
      Table* table = table_of(catalog, r.get(i, 0));
      if (!table) continue;
      Column c;
      c.name = r.get(i, 1);
      c.sql_name = r.get(i, 2);
      c.position = static_cast<int>(table->columns.size()) + 1;
      c.type = r.get(i, 3);
      c.not_null = r.get_bool(i, 4);
      c.default_expr = optional(r, i, 5);
      c.collation = r.get(i, 6);
      c.identity = r.get(i, 7);
      c.generated = r.get(i, 8);
      c.comment = optional(r, i, 9);
      table->columns.push_back(std::move(c));
    }
  }

  void constraints(Catalog& catalog) {
    auto r = m_session.exec(
        "SELECT k.conrelid, k.conname, quote_ident(k.conname), k.contype, "
        "pg_get_constraintdef(k.oid), k.condeferrable, k.condeferred, k.convalidated, "
        "d.description "
        "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "LEFT JOIN pg_description d ON d.objoid = k.oid AND d.classoid = "
        "'pg_constraint'::regclass "
        "WHERE k.contype <> 'n' AND c.relkind IN ('r', 'p', 'f') AND " +
        user_relation() + " ORDER BY k.conrelid, k.conname");
    for (int i = 0; i < r.rows(); ++i) {
      Table* table = table_of(catalog, r.get(i, 0));
      if (!table) continue;
      Constraint c;
      c.name = r.get(i, 1);
      c.sql_name = r.get(i, 2);
      c.type = first(r, i, 3);
      c.deferrable = r.get_bool(i, 5);
      c.deferred = r.get_bool(i, 6);
      c.validated = r.get_bool(i, 7);
      std::string definition = strip_suffix(r.get(i, 4), " NOT VALID", !c.validated);
      definition = strip_suffix(std::move(definition), " INITIALLY DEFERRED", c.deferred);
      c.definition = strip_suffix(std::move(definition), " DEFERRABLE", c.deferrable);
      c.comment = optional(r, i, 8);
      table->constraints.push_back(std::move(c));
    }
  }

  void indexes(Catalog& catalog) {
    // Indexes that back a primary key, unique or exclusion constraint are compared as that
    // constraint: reporting both would say the same thing twice.
    auto r = m_session.exec(
        "SELECT n.nspname, ic.relname, format('%I.%I', n.nspname, ic.relname), "
        "format('%s.%s', tn.nspname, c.relname), pg_get_indexdef(i.indexrelid), i.indisunique, "
        "coalesce(pg_get_expr(i.indpred, i.indrelid), ''), i.indisvalid, i.indisready, "
        "d.description "
        "FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
        "JOIN pg_namespace n ON n.oid = ic.relnamespace "
        "JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace tn ON tn.oid = c.relnamespace "
        "LEFT JOIN pg_description d ON d.objoid = i.indexrelid AND d.classoid = "
        "'pg_class'::regclass AND d.objsubid = 0 "
        "WHERE c.relkind IN ('r', 'p', 'm', 'f') AND tn.nspname <> 'information_schema' "
        "AND tn.nspname !~ '^pg_' AND " +
        not_extension_member("pg_class", "c.oid") +
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid "
        "AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x'))");
    for (int i = 0; i < r.rows(); ++i) {
      Index x;
      x.schema = r.get(i, 0);
      x.name = r.get(i, 1);
      x.sql_name = r.get(i, 2);
      x.table = r.get(i, 3);
      if (m_history_tables.count(x.table)) continue;
      x.definition = r.get(i, 4);
      x.unique = r.get_bool(i, 5);
      x.predicate = r.get(i, 6);
      x.valid = r.get_bool(i, 7);
      x.ready = r.get_bool(i, 8);
      x.comment = optional(r, i, 9);
      catalog.indexes[x.schema + "." + x.name] = std::move(x);
    }
  }

  void sequences(Catalog& catalog) {
    auto r = m_session.exec(
        "SELECT n.nspname, c.relname, format('%I.%I', n.nspname, c.relname), "
        "format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax, "
        "s.seqcache, s.seqcycle, "
        "coalesce((SELECT format('%s.%s.%s', tn.nspname, tc.relname, a.attname) "
        "FROM pg_depend o JOIN pg_class tc ON tc.oid = o.refobjid "
        "JOIN pg_namespace tn ON tn.oid = tc.relnamespace "
        "JOIN pg_attribute a ON a.attrelid = o.refobjid AND a.attnum = o.refobjsubid "
        "WHERE o.classid = 'pg_class'::regclass AND o.objid = c.oid "
        "AND o.refclassid = 'pg_class'::regclass AND o.deptype IN ('a', 'i') LIMIT 1), ''), "
        "d.description "
        "FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "LEFT JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass "
        "AND d.objsubid = 0 WHERE " +
        user_relation());
    for (int i = 0; i < r.rows(); ++i) {
      Sequence s;
      s.schema = r.get(i, 0);
      s.name = r.get(i, 1);
      s.sql_name = r.get(i, 2);
      s.type = r.get(i, 3);
      s.start = r.get_int(i, 4);
      s.increment = r.get_int(i, 5);
      s.min = r.get_int(i, 6);
      s.max = r.get_int(i, 7);
      s.cache = r.get_int(i, 8);
      s.cycle = r.get_bool(i, 9);
      s.owned_by = r.get(i, 10);
      s.comment = optional(r, i, 11);
      const auto owner = s.owned_by.substr(0, s.owned_by.rfind('.'));
      if (!s.owned_by.empty() && m_history_tables.count(owner)) continue;
      catalog.sequences[s.schema + "." + s.name] = std::move(s);
    }
  }

  void functions(Catalog& catalog) {
    // pg_get_function_sqlbody() exists from PostgreSQL 14 (SQL-standard bodies, BEGIN ATOMIC).
    const std::string body = m_session.server_version() >= 140000
                                 ? "CASE WHEN p.prosqlbody IS NOT NULL THEN "
                                   "pg_get_function_sqlbody(p.oid) ELSE p.prosrc END"
                                 : "p.prosrc";
    auto r = m_session.exec(
        "SELECT n.nspname, p.proname, "
        "format('%s(%s)', p.proname, pg_get_function_identity_arguments(p.oid)), "
        "format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)), "
        "p.prokind, CASE WHEN p.prokind <> 'p' THEN pg_get_function_result(p.oid) ELSE '' END, "
        "l.lanname, concat_ws(' ', CASE p.provolatile WHEN 'i' THEN 'IMMUTABLE' WHEN 's' THEN "
        "'STABLE' ELSE 'VOLATILE' END, CASE WHEN p.proisstrict THEN 'STRICT' END, "
        "CASE WHEN p.prosecdef THEN 'SECURITY DEFINER' END, CASE p.proparallel WHEN 's' THEN "
        "'PARALLEL SAFE' WHEN 'r' THEN 'PARALLEL RESTRICTED' ELSE 'PARALLEL UNSAFE' END, "
        "CASE WHEN p.proleakproof THEN 'LEAKPROOF' END, 'COST ' || p.procost, "
        "CASE WHEN p.prorows > 0 THEN 'ROWS ' || p.prorows END, "
        "(SELECT string_agg('SET ' || s, ' ') FROM unnest(p.proconfig) s)), " +
        body +
        ", CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) ELSE '' END, "
        "d.description "
        "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "JOIN pg_language l ON l.oid = p.prolang "
        "LEFT JOIN pg_description d ON d.objoid = p.oid AND d.classoid = 'pg_proc'::regclass "
        "WHERE " +
        k_user_schema + " AND " + not_extension_member("pg_proc", "p.oid"));
    for (int i = 0; i < r.rows(); ++i) {
      Function f;
      f.schema = r.get(i, 0);
      f.name = r.get(i, 1);
      f.signature = r.get(i, 2);
      f.sql_signature = r.get(i, 3);
      f.kind = first(r, i, 4);
      f.result = r.get(i, 5);
      f.language = r.get(i, 6);
      f.attributes = r.get(i, 7);
      f.body = r.get(i, 8);
      f.definition = r.get(i, 9);
      f.comment = optional(r, i, 10);
      catalog.functions[f.schema + "." + f.signature] = std::move(f);
    }
  }

  void triggers(Catalog& catalog) {
    auto r = m_session.exec(
        "SELECT t.tgname, quote_ident(t.tgname), format('%s.%s', n.nspname, c.relname), "
        "format('%I.%I', n.nspname, c.relname), pg_get_triggerdef(t.oid), t.tgenabled, "
        "d.description "
        "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "LEFT JOIN pg_description d ON d.objoid = t.oid AND d.classoid = 'pg_trigger'::regclass "
        "WHERE NOT t.tgisinternal AND " +
        user_relation());
    for (int i = 0; i < r.rows(); ++i) {
      Trigger t;
      t.name = r.get(i, 0);
      t.sql_name = r.get(i, 1);
      t.table = r.get(i, 2);
      if (m_history_tables.count(t.table)) continue;
      t.table_sql = r.get(i, 3);
      t.definition = r.get(i, 4);
      t.enabled = first(r, i, 5);
      t.comment = optional(r, i, 6);
      catalog.triggers[t.table + "." + t.name] = std::move(t);
    }
  }

  void enums(Catalog& catalog) {
    auto r = m_session.exec(
        "SELECT n.nspname, t.typname, format('%I.%I', n.nspname, t.typname), e.enumlabel, "
        "d.description "
        "FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
        "JOIN pg_enum e ON e.enumtypid = t.oid "
        "LEFT JOIN pg_description d ON d.objoid = t.oid AND d.classoid = 'pg_type'::regclass "
        "WHERE " +
        std::string(k_user_schema) + " AND " + not_extension_member("pg_type", "t.oid") +
        " ORDER BY t.oid, e.enumsortorder");
    for (int i = 0; i < r.rows(); ++i) {
      const std::string key = r.get(i, 0) + "." + r.get(i, 1);
      auto& e = catalog.enums[key];
      if (e.labels.empty()) {
        e.schema = r.get(i, 0);
        e.name = r.get(i, 1);
        e.sql_name = r.get(i, 2);
        e.comment = optional(r, i, 4);
      }
      e.labels.push_back(r.get(i, 3));
    }
  }

  void extensions(Catalog& catalog) {
    auto r = m_session.exec("SELECT e.extname, quote_ident(e.extname), e.extversion, "
                            "quote_ident(n.nspname) FROM pg_extension e "
                            "JOIN pg_namespace n ON n.oid = e.extnamespace");
    for (int i = 0; i < r.rows(); ++i) {
      catalog.extensions[r.get(i, 0)] =
          Extension{r.get(i, 0), r.get(i, 1), r.get(i, 2), r.get(i, 3)};
    }
  }

  pg::PgSession& m_session;
  HistoryName m_history;
  std::map<std::string, std::string> m_tables_by_oid;
  std::set<std::string> m_history_tables;
};

} // namespace

Catalog read_catalog(pg::PgSession& session, const std::string& history_table) {
  // One snapshot for every query; READ ONLY makes the server refuse any write, whatever runs.
  const bool own_transaction = !session.in_transaction();
  if (own_transaction) session.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  try {
    // With only pg_catalog on the path, every name in pg_get_*def() output is schema-qualified,
    // whatever search_path each database has: both sides print the same text for the same thing.
    session.exec("SET LOCAL search_path = pg_catalog");
    Catalog catalog = Reader(session, history_table).read();
    if (own_transaction) session.exec("ROLLBACK");
    return catalog;
  } catch (const Error& e) {
    if (own_transaction && e.kind() != ErrorKind::connection) session.try_exec("ROLLBACK");
    throw;
  }
}

} // namespace preflight::drift
