#include "core/lint/linter.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "core/error.h"
#include "core/lint/script_linter.h"
#include "core/sql/text_position.h"

namespace preflight::lint {

namespace detail {

namespace {

// Functions whose value differs per row: a default calling one must be evaluated for every
// existing row, which rewrites the table (PostgreSQL 11+ stores constant and stable defaults in
// the catalog). PostgreSQL's own volatile built-ins and those of uuid-ossp / pgcrypto.
const std::set<std::string> k_volatile_functions{"random",
                                                 "random_normal",
                                                 "gen_random_uuid",
                                                 "gen_random_bytes",
                                                 "uuid_generate_v1",
                                                 "uuid_generate_v1mc",
                                                 "uuid_generate_v4",
                                                 "clock_timestamp",
                                                 "timeofday",
                                                 "nextval",
                                                 "setseed",
                                                 "txid_current",
                                                 "pg_current_xact_id"};

const std::set<std::string> k_serial_types{"smallserial", "serial",  "bigserial",
                                           "serial2",     "serial4", "serial8"};

} // namespace

std::string sval(const json& node) {
  if (node.contains("String")) return node["String"].value("sval", "");
  return {};
}

// Objects are named without "public." so that `t` and `public.t` are one table.
std::string qualified(const std::vector<std::string>& names) {
  if (names.empty()) return {};
  if (names.size() >= 2 && names[names.size() - 2] != "public") {
    return names[names.size() - 2] + "." + names.back();
  }
  return names.back();
}

std::string relation_key(const json& range_var) {
  std::vector<std::string> names;
  if (!range_var.value("schemaname", std::string{}).empty())
    names.push_back(range_var["schemaname"]);
  names.push_back(range_var.value("relname", std::string{}));
  return qualified(names);
}

std::vector<std::string> name_list(const json& object) {
  std::vector<std::string> names;
  const json& items = object.contains("List") ? object["List"]["items"] : json::array({object});
  for (const auto& item : items) names.push_back(sval(item));
  return names;
}

// The first volatile function called anywhere in an expression, or "".
std::string volatile_call(const json& node) {
  if (node.is_object()) {
    if (node.contains("FuncCall") && node["FuncCall"].contains("funcname")) {
      auto name = sval(node["FuncCall"]["funcname"].back());
      if (k_volatile_functions.count(name)) return name + "()";
    }
    for (const auto& [key, child] : node.items()) {
      if (auto found = volatile_call(child); !found.empty()) return found;
    }
  } else if (node.is_array()) {
    for (const auto& child : node) {
      if (auto found = volatile_call(child); !found.empty()) return found;
    }
  }
  return {};
}

// The column of a `CHECK (col IS NOT NULL)` expression, or "".
std::string not_null_check_column(const json& expr) {
  if (!expr.contains("NullTest")) return {};
  const json& test = expr["NullTest"];
  if (test.value("nulltesttype", "") != "IS_NOT_NULL" || !test.contains("arg")) return {};
  if (!test["arg"].contains("ColumnRef")) return {};
  return sval(test["arg"]["ColumnRef"]["fields"].back());
}

bool is_serial_type(const std::string& name) {
  return k_serial_types.count(name) > 0;
}

std::set<std::string> ScriptLinter::ignored() const {
  std::set<std::string> all = m_file_ignores;
  all.insert(m_statement_ignores.begin(), m_statement_ignores.end());
  return all;
}

std::set<std::string> ScriptLinter::parse_directive(const sql::LineComment& comment,
                                                    bool& file_level) const {
  std::string_view text = comment.text;
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  std::string_view rest;
  if (text.rfind("preflight:ignore-file", 0) == 0) {
    file_level = true;
    rest = text.substr(21);
  } else if (text.rfind("preflight:ignore", 0) == 0) {
    file_level = false;
    rest = text.substr(16);
  } else {
    return {};
  }
  std::set<std::string> ids;
  std::string id;
  auto flush = [&] {
    if (id.empty()) return;
    if (!find_rule(id)) {
      auto at = sql::line_column_at(m_script.sql, comment.offset);
      throw Error(
          ErrorKind::input, fmt::format("unknown lint rule `{}` in a preflight:ignore comment", id),
          "the rules are listed in the README, section \"Migration safety: lint and lock trace\"",
          Location{m_script.path, at.line, at.column});
    }
    ids.insert(id);
    id.clear();
  };
  for (char c : rest) {
    if (c == ',' || c == ' ' || c == '\t') {
      flush();
    } else {
      id += c;
    }
  }
  flush();
  return ids;
}

void ScriptLinter::read_directives(const std::vector<sql::Statement>& statements) {
  std::vector<sql::LineComment> comments;
  for (const auto& s : statements) {
    auto gap = sql::leading_line_comments(m_script.sql, s.leading_offset, m_script.sql.size());
    comments.insert(comments.end(), gap.begin(), gap.end());
  }
  // Comments after the last statement (past its ';') belong to no statement but may hold the
  // file-level form.
  if (!statements.empty()) {
    std::size_t tail = statements.back().offset + statements.back().text.size();
    if (tail < m_script.sql.size() && m_script.sql[tail] == ';') ++tail;
    auto gap = sql::leading_line_comments(m_script.sql, tail, m_script.sql.size());
    comments.insert(comments.end(), gap.begin(), gap.end());
  }
  for (const auto& comment : comments) {
    bool file_level = false;
    auto ids = parse_directive(comment, file_level);
    if (file_level) m_file_ignores.insert(ids.begin(), ids.end());
  }
}

void ScriptLinter::run() {
  std::vector<sql::Statement> statements;
  try {
    statements = sql::parse_statements(m_script.sql);
  } catch (const Error& e) {
    Location where = e.location().value_or(Location{});
    where.file = m_script.path;
    throw e.at(where);
  }
  read_directives(statements);
  for (const auto& statement : statements) {
    m_start = statement.offset;
    m_statement_ignores.clear();
    for (const auto& comment :
         sql::leading_line_comments(m_script.sql, statement.leading_offset, m_start)) {
      bool file_level = false;
      auto ids = parse_directive(comment, file_level);
      if (!file_level) m_statement_ignores.insert(ids.begin(), ids.end());
    }
    std::vector<Lock> locks;
    const std::string type = sql::node_type(statement);
    if (type == "TransactionStmt") transaction_stmt(statement);
    lint_statement(type, statement.tree[type], locks);
    note_locks(locks);
  }
  if (auto problem = m_transactions.finish()) {
    m_sink.emit(m_script, problem->rule, problem->offset, m_begin_ignores,
                std::move(problem->message), std::move(problem->hint));
  }
}

void ScriptLinter::lint_statement(const std::string& type, const json& n,
                                  std::vector<Lock>& locks) {
  if (type == "IndexStmt") {
    index_stmt(n, locks);
  } else if (type == "DropStmt") {
    drop_stmt(n, locks);
  } else if (type == "ReindexStmt") {
    reindex_stmt(n, locks);
  } else if (type == "AlterTableStmt") {
    alter_table_stmt(n, locks);
  } else if (type == "RenameStmt") {
    rename_stmt(n, locks);
  } else if (type == "CreateStmt") {
    create_stmt(n, locks);
  } else if (type == "VariableSetStmt") {
    if (n.value("name", "") == "lock_timeout" && n.value("kind", "") != "VAR_RESET")
      m_lock_timeout_set = true;
  } else if (type == "TruncateStmt") {
    std::vector<std::string> tables;
    for (const auto& r : n["relations"]) {
      auto table = relation_key(r["RangeVar"]);
      tables.push_back(table);
      if (existing(table)) locks.push_back({table, LockMode::access_exclusive});
    }
    if (n.value("behavior", "") == "DROP_CASCADE") {
      emit(
          "truncate-cascade",
          fmt::format(
              "TRUNCATE {} CASCADE also empties every table with a foreign key to it, under ACCESS "
              "EXCLUSIVE on all of them",
              fmt::join(tables, ", ")),
          "truncate exactly the tables you mean, by name, without CASCADE");
    }
  } else if (type == "VacuumStmt") {
    bool full = false;
    for (const auto& o : n.value("options", json::array()))
      full = full || o["DefElem"].value("defname", "") == "full";
    if (!full) return;
    std::vector<std::string> tables;
    for (const auto& r : n.value("rels", json::array()))
      tables.push_back(relation_key(r["VacuumRelation"]["relation"]));
    for (const auto& t : tables) {
      if (existing(t)) locks.push_back({t, LockMode::access_exclusive});
    }
    emit("vacuum-full",
         fmt::format("VACUUM FULL rewrites {} under ACCESS EXCLUSIVE: reads and writes are blocked "
                     "for the whole "
                     "rewrite",
                     tables.empty() ? std::string("every table")
                                    : fmt::format("{}", fmt::join(tables, ", "))),
         "use plain VACUUM (it blocks neither reads nor writes), or pg_repack for an online "
         "rewrite, outside "
         "migrations");
  } else if (type == "ClusterStmt") {
    std::string table = n.contains("relation") ? relation_key(n["relation"]) : std::string{};
    if (!table.empty() && existing(table)) locks.push_back({table, LockMode::access_exclusive});
    if (table.empty() || existing(table)) {
      emit("cluster",
           fmt::format("CLUSTER rewrites {} under ACCESS EXCLUSIVE: reads and writes are blocked "
                       "for the whole "
                       "rewrite",
                       table.empty() ? std::string("every clustered table") : table),
           "use pg_repack for an online reorder, outside migrations");
    }
  } else if (type == "CreateTrigStmt") {
    auto table = relation_key(n["relation"]);
    if (existing(table)) locks.push_back({table, LockMode::share_row_exclusive});
  } else if (type == "LockStmt") {
    auto mode = migrate::lock_mode_from_number(n.value("mode", 8));
    for (const auto& r : n["relations"]) {
      auto table = relation_key(r["RangeVar"]);
      if (mode && existing(table)) locks.push_back({table, *mode});
    }
  }
}

void ScriptLinter::check_concurrently(const std::string& what) {
  if (!in_transaction()) return;
  if (m_script.no_transaction) {
    auto begin = sql::line_column_at(m_script.sql, *m_transactions.open_begin());
    emit("concurrently-in-transaction",
         fmt::format("{} cannot run inside a transaction block; this one follows the BEGIN at line "
                     "{}, so it "
                     "fails at run time",
                     what, begin.line),
         "run it outside the BEGIN … COMMIT block");
  } else {
    emit("concurrently-in-transaction",
         fmt::format("{} cannot run inside a transaction block; this migration runs in one, so it "
                     "fails at run "
                     "time",
                     what),
         "move it to its own migration whose file starts with -- no-transaction");
  }
}

void ScriptLinter::note_locks(const std::vector<Lock>& locks) {
  if (m_config.lock_timeout_configured || m_lock_timeout_set || m_lock_timeout_reported) return;
  for (const auto& lock : locks) {
    if (!migrate::is_dangerous(lock.mode)) continue;
    m_lock_timeout_reported = true;
    emit("missing-lock-timeout",
         fmt::format("{} on existing table {} is taken without SET lock_timeout: while it waits "
                     "behind a long "
                     "query, every other query on {} queues behind it",
                     migrate::lock_mode_name(lock.mode), lock.table, lock.table),
         "start the file with SET lock_timeout = '5s' (or set lock_timeout in preflight.toml) and "
         "retry on "
         "timeout");
    return;
  }
}

void ScriptLinter::index_stmt(const json& n, std::vector<Lock>& locks) {
  const std::string table = relation_key(n["relation"]);
  const std::string name = n.value("idxname", "");
  if (n.value("concurrent", false)) {
    check_concurrently("CREATE INDEX CONCURRENTLY");
  } else if (existing(table)) {
    locks.push_back({table, LockMode::share});
    emit("create-index-not-concurrently",
         fmt::format("CREATE INDEX on existing table {} takes a SHARE lock: writes (INSERT, "
                     "UPDATE, DELETE) are "
                     "blocked for the whole build",
                     table),
         "use CREATE INDEX CONCURRENTLY in its own migration that starts with -- no-transaction");
  }
  if (!name.empty()) {
    m_model.add_index(name, table);
    m_new_indexes.insert(name);
    created("index", name, table);
  }
}

void ScriptLinter::drop_stmt(const json& n, std::vector<Lock>& locks) {
  const std::string type = n.value("removeType", "");
  for (const auto& object : n.value("objects", json::array())) {
    const std::string name = qualified(name_list(object));
    if (type == "OBJECT_INDEX") {
      const std::string table = m_model.index_table(name);
      if (n.value("concurrent", false)) {
        check_concurrently("DROP INDEX CONCURRENTLY");
      } else if (!m_new_indexes.count(name) && (table.empty() || existing(table))) {
        locks.push_back({table.empty() ? name : table, LockMode::access_exclusive});
        emit("drop-index-not-concurrently",
             fmt::format("DROP INDEX {} takes an ACCESS EXCLUSIVE lock on {}: reads and writes are "
                         "blocked until "
                         "the transaction ends",
                         name, table.empty() ? std::string("its table") : table),
             "use DROP INDEX CONCURRENTLY in a migration that starts with -- no-transaction");
      }
      m_model.drop_index(name);
      down_effects.indexes.insert(name);
      forget_created("index", name, {});
    } else if (type == "OBJECT_TABLE") {
      if (existing(name)) {
        locks.push_back({name, LockMode::access_exclusive});
        if (!created_by_up(name)) {
          emit("drop-table",
               fmt::format("DROP TABLE {} breaks running code that still reads or writes it (and "
                           "takes ACCESS "
                           "EXCLUSIVE)",
                           name),
               "deploy code that no longer uses the table first, then drop it in a later release");
        }
      }
      m_model.drop_table(name);
      m_new_tables.erase(name);
      down_effects.tables.insert(name);
      forget_created("table", name, {});
    }
  }
}

void ScriptLinter::reindex_stmt(const json& n, std::vector<Lock>& locks) {
  bool concurrent = false;
  for (const auto& p : n.value("params", json::array())) {
    concurrent = concurrent || p["DefElem"].value("defname", "") == "concurrently";
  }
  if (concurrent) {
    check_concurrently("REINDEX CONCURRENTLY");
    return;
  }
  std::string table;
  if (n.contains("relation")) {
    const std::string name = relation_key(n["relation"]);
    table = n.value("kind", "") == "REINDEX_OBJECT_INDEX" ? m_model.index_table(name) : name;
    if (table.empty()) table = name;
  }
  if (!table.empty() && !existing(table)) return;
  if (!table.empty()) locks.push_back({table, LockMode::share});
  emit("reindex-not-concurrently",
       fmt::format("REINDEX takes a SHARE lock on {} and ACCESS EXCLUSIVE on the index: writes, "
                   "and reads that use "
                   "the index, are blocked for the whole rebuild",
                   table.empty() ? std::string("every table it rebuilds") : table),
       "use REINDEX … CONCURRENTLY in a migration that starts with -- no-transaction");
}

void ScriptLinter::create_stmt(const json& n, std::vector<Lock>& locks) {
  const std::string table = relation_key(n["relation"]);
  std::map<std::string, ColumnType> columns;
  auto note_foreign_key = [&](const json& c) {
    if (c.value("contype", "") != "CONSTR_FOREIGN" || !c.contains("pktable")) return;
    const std::string referenced = relation_key(c["pktable"]);
    if (referenced != table && existing(referenced))
      locks.push_back({referenced, LockMode::share_row_exclusive});
  };
  for (const auto& element : n.value("tableElts", json::array())) {
    if (element.contains("ColumnDef")) {
      const json& col = element["ColumnDef"];
      columns[col.value("colname", "")] = column_type(col.value("typeName", json::object()));
      for (const auto& c : col.value("constraints", json::array()))
        note_foreign_key(c["Constraint"]);
    } else if (element.contains("Constraint")) {
      note_foreign_key(element["Constraint"]);
    }
  }
  m_model.create_table(table, std::move(columns));
  m_new_tables.insert(table);
  if (!is_down()) up_effects.tables.insert(table);
  created("table", table, table);
}

// The rules themselves are shared with migration discovery, which refuses what they find.
void ScriptLinter::transaction_stmt(const sql::Statement& statement) {
  const bool was_open = m_transactions.open_begin().has_value();
  if (auto problem = m_transactions.next(statement)) {
    emit(problem->rule, problem->offset, std::move(problem->message), std::move(problem->hint));
  }
  if (!was_open && m_transactions.open_begin()) m_begin_ignores = ignored();
}

} // namespace detail

namespace {

using namespace detail;

bool position_before(const Finding& a, const Finding& b) {
  return std::tie(a.line, a.column) < std::tie(b.line, b.column);
}

} // namespace

std::vector<LintMigration> lint_migrations_of(const migrate::MigrationSet& set) {
  std::vector<LintMigration> migrations;
  for (const auto& m : set.all()) migrations.push_back({m.version, m.up, m.down});
  return migrations;
}

std::vector<Finding> lint_migrations(const std::vector<LintMigration>& migrations,
                                     const LintConfig& config) {
  SchemaModel model;
  FindingSink sink(config);
  std::vector<std::string> file_order;
  for (const auto& migration : migrations) {
    file_order.push_back(migration.up.path);
    ScriptLinter up(migration.up, model, sink, config, nullptr);
    up.run();
    if (!migration.down) continue;
    file_order.push_back(migration.down->path);
    // The down script runs against the schema as the up script left it, and does not change
    // what later migrations see.
    SchemaModel after_up = model;
    ScriptLinter down(*migration.down, after_up, sink, config, &up.up_effects);
    down.run();
    for (const auto& c : up.up_effects.created) {
      const auto& d = down.down_effects;
      bool undone = d.tables.count(c.table) > 0;
      if (c.kind == "index") undone = undone || d.indexes.count(c.name);
      if (c.kind == "constraint") undone = undone || d.constraints.count(c.table + "." + c.name);
      if (undone) continue;
      const std::string drop = c.kind == "index" ? "DROP INDEX " + c.name
                               : c.kind == "table"
                                   ? "DROP TABLE " + c.name
                                   : "ALTER TABLE " + c.table + " DROP CONSTRAINT " + c.name;
      sink.emit(migration.up, "down-does-not-undo", c.offset, c.ignored,
                fmt::format("this migration creates {} {}{}, but {} does not drop it", c.kind,
                            c.name, c.kind == "table" ? "" : " on " + c.table,
                            migration.down->path),
                fmt::format("add {}; to the down migration", drop));
    }
  }
  auto findings = sink.take();
  auto rank = [&](const std::string& file) {
    return std::find(file_order.begin(), file_order.end(), file) - file_order.begin();
  };
  std::stable_sort(findings.begin(), findings.end(), [&](const Finding& a, const Finding& b) {
    if (a.file != b.file) return rank(a.file) < rank(b.file);
    return position_before(a, b);
  });
  return findings;
}

bool has_errors(const std::vector<Finding>& findings) {
  return std::any_of(findings.begin(), findings.end(),
                     [](const Finding& f) { return f.level == Level::error; });
}

} // namespace preflight::lint
