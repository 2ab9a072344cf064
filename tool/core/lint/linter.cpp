#include "core/lint/linter.h"

#include <algorithm>
#include <cctype>
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

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

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

std::string schema_prefix(const std::string& name) {
  const auto dot = name.rfind('.');
  return dot == std::string::npos ? std::string{} : name.substr(0, dot + 1);
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

// PostgreSQL names an unnamed CHECK after its table and first column: t_a_check.
std::string check_constraint_name(const std::string& table, const std::string& name,
                                  const std::string& column) {
  if (!name.empty()) return name;
  const auto dot = table.rfind('.');
  return (dot == std::string::npos ? table : table.substr(dot + 1)) + "_" + column + "_check";
}

bool is_null_constant(const json& expr) {
  if (expr.contains("TypeCast")) return is_null_constant(expr["TypeCast"].value("arg", json{}));
  return expr.contains("A_Const") && expr["A_Const"].value("isnull", false);
}

// PostgreSQL's defGetBoolean: no argument, 1, true/on/yes (and their prefixes) are true.
bool option_enabled(const json& def_elem) {
  if (!def_elem.contains("arg")) return true;
  const json& arg = def_elem["arg"];
  if (arg.contains("Integer")) return arg["Integer"].value("ival", 0) != 0;
  if (arg.contains("Boolean")) return arg["Boolean"].value("boolval", false);
  static const std::set<std::string> k_false{"f", "fa", "fal", "fals", "false",
                                             "n", "no", "off", "0"};
  return !k_false.count(lower(sval(arg)));
}

bool is_serial_type(const std::string& name) {
  return k_serial_types.count(name) > 0;
}

std::string ScriptLinter::relation(const json& range_var) {
  std::vector<std::string> names;
  if (!range_var.value("schemaname", std::string{}).empty())
    names.push_back(range_var["schemaname"]);
  names.push_back(range_var.value("relname", std::string{}));
  return object_name(names);
}

std::string ScriptLinter::object_name(const std::vector<std::string>& names) {
  std::string key = qualified(names);
  std::string written;
  for (const auto& part : names) written += (written.empty() ? "" : ".") + part;
  m_spelled[key] = written;
  return key;
}

std::string ScriptLinter::shown(const std::string& key) const {
  auto it = m_spelled.find(key);
  return it == m_spelled.end() ? key : it->second;
}

std::string ScriptLinter::shown_list(const std::vector<std::string>& keys) const {
  std::string list;
  for (const auto& key : keys) list += (list.empty() ? "" : ", ") + shown(key);
  return list;
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

std::vector<std::set<std::string>>
ScriptLinter::read_directives(const std::vector<sql::Statement>& statements) {
  std::vector<std::set<std::string>> by_statement(statements.size());
  // The gap before each statement, then the one after the last statement's ';'.
  for (std::size_t i = 0; i <= statements.size(); ++i) {
    std::size_t begin = 0;
    std::size_t end = m_script.sql.size();
    if (i < statements.size()) {
      begin = statements[i].leading_offset;
      end = statements[i].offset;
    } else if (!statements.empty()) {
      begin = statements.back().offset + statements.back().text.size();
      if (begin < m_script.sql.size() && m_script.sql[begin] == ';') ++begin;
    }
    for (const auto& comment : sql::leading_line_comments(m_script.sql, begin, end)) {
      bool file_level = false;
      auto ids = parse_directive(comment, file_level);
      if (file_level) {
        m_file_ignores.insert(ids.begin(), ids.end());
        continue;
      }
      // A comment on the line where the previous statement ends (after its ';') is about that
      // statement: `CREATE INDEX …; -- preflight:ignore …`.
      const auto before = std::string_view(m_script.sql).substr(begin, comment.offset - begin);
      const bool trailing = i > 0 && before.find_first_of("\r\n") == std::string_view::npos;
      const std::size_t owner = trailing ? i - 1 : i;
      // Comments after the last statement that do not trail it belong to no statement.
      if (owner < statements.size()) by_statement[owner].insert(ids.begin(), ids.end());
    }
  }
  return by_statement;
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
  auto statement_ignores = read_directives(statements);
  for (std::size_t i = 0; i < statements.size(); ++i) {
    const auto& statement = statements[i];
    m_start = statement.offset;
    m_statement_ignores = std::move(statement_ignores[i]);
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
  if (auto what = transaction_block_refused(type, n); !what.empty())
    check_outside_transaction("cannot-run-in-transaction", what);
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
    variable_set_stmt(n);
  } else if (type == "SelectStmt") {
    set_config_calls(n);
    if (n.contains("intoClause")) new_table(relation(n["intoClause"]["rel"]));
  } else if (type == "CreateTableAsStmt") {
    const std::string table = relation(n["into"]["rel"]);
    // down-does-not-undo follows tables only: a materialized view is not recorded as created.
    if (n.value("objtype", "") == "OBJECT_MATVIEW") {
      m_model.create_table(table, {});
      m_new_tables.insert(table);
    } else {
      new_table(table);
    }
  } else if (type == "TruncateStmt") {
    std::vector<std::string> tables;
    for (const auto& r : n["relations"]) {
      auto table = relation(r["RangeVar"]);
      tables.push_back(shown(table));
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
      full = full || (o["DefElem"].value("defname", "") == "full" && option_enabled(o["DefElem"]));
    if (!full) return;
    // Like CLUSTER: tables created earlier in this file are not flagged.
    std::vector<std::string> tables;
    for (const auto& r : n.value("rels", json::array())) {
      auto table = relation(r["VacuumRelation"]["relation"]);
      if (existing(table)) tables.push_back(table);
    }
    if (tables.empty() && !n.value("rels", json::array()).empty()) return;
    for (const auto& t : tables) locks.push_back({t, LockMode::access_exclusive});
    emit("vacuum-full",
         fmt::format("VACUUM FULL rewrites {} under ACCESS EXCLUSIVE: reads and writes are blocked "
                     "for the whole "
                     "rewrite",
                     tables.empty() ? std::string("every table") : shown_list(tables)),
         "use plain VACUUM (it blocks neither reads nor writes), or pg_repack for an online "
         "rewrite, outside "
         "migrations");
  } else if (type == "ClusterStmt") {
    std::string table = n.contains("relation") ? relation(n["relation"]) : std::string{};
    if (!table.empty() && existing(table)) locks.push_back({table, LockMode::access_exclusive});
    if (table.empty() || existing(table)) {
      emit("cluster",
           fmt::format("CLUSTER rewrites {} under ACCESS EXCLUSIVE: reads and writes are blocked "
                       "for the whole "
                       "rewrite",
                       table.empty() ? std::string("every clustered table") : shown(table)),
           "use pg_repack for an online reorder, outside migrations");
    }
  } else if (type == "CreateTrigStmt") {
    auto table = relation(n["relation"]);
    if (existing(table)) locks.push_back({table, LockMode::share_row_exclusive});
  } else if (type == "LockStmt") {
    auto mode = migrate::lock_mode_from_number(n.value("mode", 8));
    for (const auto& r : n["relations"]) {
      auto table = relation(r["RangeVar"]);
      if (mode && existing(table)) locks.push_back({table, *mode});
    }
  }
}

void ScriptLinter::index_stmt(const json& n, std::vector<Lock>& locks) {
  const std::string table = relation(n["relation"]);
  // An index lives in its table's schema: only a name qualified the same way finds it.
  const std::string idxname = n.value("idxname", "");
  const std::string name = idxname.empty() ? idxname : schema_prefix(table) + idxname;
  if (n.value("concurrent", false)) {
    check_concurrently("CREATE INDEX CONCURRENTLY");
  } else if (existing(table)) {
    locks.push_back({table, LockMode::share});
    emit("create-index-not-concurrently",
         fmt::format("CREATE INDEX on existing table {} takes a SHARE lock: writes (INSERT, "
                     "UPDATE, DELETE) are "
                     "blocked for the whole build",
                     shown(table)),
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
    const std::string name = object_name(name_list(object));
    if (type == "OBJECT_INDEX") {
      const std::string table = m_model.index_table(name);
      if (n.value("concurrent", false)) {
        check_concurrently("DROP INDEX CONCURRENTLY");
      } else if (!m_new_indexes.count(name) && (table.empty() || existing(table))) {
        locks.push_back({table, LockMode::access_exclusive, name});
        emit("drop-index-not-concurrently",
             fmt::format("DROP INDEX {} takes an ACCESS EXCLUSIVE lock on {}: reads and writes are "
                         "blocked until "
                         "the transaction ends",
                         shown(name), table.empty() ? std::string("its table") : shown(table)),
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
                           shown(name)),
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
    concurrent = concurrent || (p["DefElem"].value("defname", "") == "concurrently" &&
                                option_enabled(p["DefElem"]));
  }
  if (concurrent) {
    check_concurrently("REINDEX CONCURRENTLY");
    return;
  }
  const std::string kind = n.value("kind", "");
  const std::string hint =
      "use REINDEX … CONCURRENTLY in a migration that starts with -- no-transaction";
  if (!n.contains("relation")) {
    emit("reindex-not-concurrently",
         "REINDEX takes a SHARE lock on every table it rebuilds and ACCESS EXCLUSIVE on their "
         "indexes: writes, and reads that use the indexes, are blocked for the whole rebuild",
         hint);
    return;
  }
  const std::string name = relation(n["relation"]);
  if (kind == "REINDEX_OBJECT_INDEX") {
    const std::string table = m_model.index_table(name);
    if (m_new_indexes.count(name) || (!table.empty() && !existing(table))) return;
    locks.push_back({table, LockMode::share, name});
    emit("reindex-not-concurrently",
         fmt::format("REINDEX INDEX {} takes a SHARE lock on {} and ACCESS EXCLUSIVE on the index: "
                     "writes, and reads that use the index, are blocked for the whole rebuild",
                     shown(name), table.empty() ? std::string("its table") : shown(table)),
         hint);
    return;
  }
  if (!existing(name)) return;
  locks.push_back({name, LockMode::share});
  emit("reindex-not-concurrently",
       fmt::format("REINDEX TABLE {} takes a SHARE lock on the table and ACCESS EXCLUSIVE on "
                   "its indexes: writes, and reads that use the indexes, are blocked for the "
                   "whole rebuild",
                   shown(name)),
       hint);
}

void ScriptLinter::create_stmt(const json& n, std::vector<Lock>& locks) {
  const std::string table = relation(n["relation"]);
  std::map<std::string, ColumnType> columns;
  auto note_foreign_key = [&](const json& c) {
    if (c.value("contype", "") != "CONSTR_FOREIGN" || !c.contains("pktable")) return;
    const std::string referenced = relation(c["pktable"]);
    if (referenced != table && existing(referenced))
      locks.push_back({referenced, LockMode::share_row_exclusive});
  };
  std::vector<std::pair<std::string, std::string>> not_null_checks; // name, column
  auto note_check = [&](const json& c) {
    if (c.value("contype", "") != "CONSTR_CHECK") return;
    auto column = not_null_check_column(c.value("raw_expr", json::object()));
    if (!column.empty())
      not_null_checks.emplace_back(check_constraint_name(table, c.value("conname", ""), column),
                                   column);
  };
  for (const auto& element : n.value("tableElts", json::array())) {
    if (element.contains("ColumnDef")) {
      const json& col = element["ColumnDef"];
      columns[col.value("colname", "")] = column_type(col.value("typeName", json::object()));
      for (const auto& c : col.value("constraints", json::array())) {
        note_foreign_key(c["Constraint"]);
        note_check(c["Constraint"]);
      }
    } else if (element.contains("Constraint")) {
      note_foreign_key(element["Constraint"]);
      note_check(element["Constraint"]);
    }
  }
  new_table(table, std::move(columns));
  // CREATE TABLE validates its CHECKs on the empty table (PostgreSQL ignores NOT VALID there).
  for (const auto& [name, column] : not_null_checks)
    m_model.add_not_null_check(name, {table, column, true});
}

// CREATE TABLE [AS], SELECT INTO, CREATE MATERIALIZED VIEW: a relation no other session can see
// until the migration commits, so locking it blocks nobody.
void ScriptLinter::new_table(const std::string& table, std::map<std::string, ColumnType> columns) {
  m_model.create_table(table, std::move(columns));
  m_new_tables.insert(table);
  if (!is_down()) up_effects.tables.insert(table);
  created("table", table, table);
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
  // Flyway runs its repeatable migrations after the versioned ones.
  for (const auto& m : set.repeatables()) migrations.push_back({m.version, m.up, std::nullopt});
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
