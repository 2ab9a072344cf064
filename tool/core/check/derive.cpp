#include "core/check/derive.h"

#include <cctype>

#include <fmt/format.h>

#include "core/sql/parsed_sql.h"
#include "core/sql/text_position.h"

namespace preflight::check {

namespace {

using json = nlohmann::json;

std::string relation_name(const json& range_var) {
  std::string name = range_var.value("relname", "");
  if (range_var.contains("schemaname"))
    name = range_var["schemaname"].get<std::string>() + "." + name;
  return name;
}

std::vector<std::string> string_list(const json& list) {
  std::vector<std::string> out;
  for (const auto& item : list) {
    if (item.contains("String")) out.push_back(item["String"].value("sval", ""));
  }
  return out;
}

// serial types are a CREATE TABLE shorthand, not types: the column gets the integer type.
std::string column_type(const json& type_name) {
  auto names = string_list(type_name.value("names", json::array()));
  if (names.empty()) return {};
  std::string base = names.back();
  if (base == "serial" || base == "serial4") base = "integer";
  if (base == "bigserial" || base == "serial8") base = "bigint";
  if (base == "smallserial" || base == "serial2") base = "smallint";
  std::string type =
      names.size() > 1 && base == names.back() ? names[names.size() - 2] + "." + base : base;
  if (type_name.contains("arrayBounds")) type += "[]";
  return type;
}

bool not_null(const json& column_def) {
  for (const auto& c : column_def.value("constraints", json::array())) {
    auto type = c.contains("Constraint") ? c["Constraint"].value("contype", "") : "";
    if (type == "CONSTR_NOTNULL" || type == "CONSTR_PRIMARY") return true;
  }
  return false;
}

std::optional<std::string> delete_action(const std::string& code) {
  if (code == "c") return "cascade";
  if (code == "r") return "restrict";
  if (code == "n") return "set null";
  if (code == "d") return "set default";
  if (code == "a") return "no action";
  return std::nullopt;
}

std::string short_name(const SchemaObject& o) {
  switch (o.kind) {
  case SchemaObject::Kind::table: return "table " + o.table;
  case SchemaObject::Kind::column: return "column " + o.table + "." + o.name;
  case SchemaObject::Kind::index: return "index " + (o.name.empty() ? "on " + o.table : o.name);
  case SchemaObject::Kind::constraint: return "constraint " + o.name;
  }
  return "object";
}

class Deriver {
public:
  explicit Deriver(const migrate::Migration& migration) : m_migration(migration) {}

  std::vector<Check> run() {
    Check applied;
    applied.kind = CheckKind::migration;
    applied.name = fmt::format("migration {} applied", m_migration.shown_version());
    applied.version = m_migration.version;
    applied.version_text = m_migration.version_text;
    applied.newest = false;
    applied.location = Location{m_migration.up.path, 0, 0};
    m_checks.push_back(applied);
    for (const auto& statement : sql::parse_statements(m_migration.up.sql)) {
      auto at = sql::line_column_at(m_migration.up.sql, statement.offset);
      m_location = Location{m_migration.up.path, at.line, 0};
      auto type = sql::node_type(statement);
      const auto& body = statement.tree[type];
      if (type == "CreateStmt") create_table(body);
      if (type == "IndexStmt") create_index(body);
      if (type == "AlterTableStmt") alter_table(body);
    }
    return std::move(m_checks);
  }

private:
  void add(SchemaObject object) {
    Check check;
    check.kind = CheckKind::schema;
    check.name = fmt::format("migration {}: {}", m_migration.shown_version(), short_name(object));
    check.location = m_location;
    check.object = std::move(object);
    m_checks.push_back(std::move(check));
  }

  void column(const std::string& table, const json& def) {
    SchemaObject o;
    o.kind = SchemaObject::Kind::column;
    o.table = table;
    o.name = def.value("colname", "");
    if (def.contains("typeName")) o.type = column_type(def["typeName"]);
    if (not_null(def)) o.nullable = false;
    add(std::move(o));
  }

  void constraint(const std::string& table, const json& c) {
    if (!c.contains("conname")) return; // unnamed: PostgreSQL picks the name, nothing to look up
    SchemaObject o;
    o.kind = SchemaObject::Kind::constraint;
    o.table = table;
    o.name = c["conname"].get<std::string>();
    if (c.value("contype", "") == "CONSTR_FOREIGN") {
      o.columns = string_list(c.value("fk_attrs", json::array()));
      if (c.contains("pktable")) o.references = relation_name(c["pktable"]);
      o.on_delete = delete_action(c.value("fk_del_action", ""));
    } else if (c.contains("keys")) {
      o.columns = string_list(c["keys"]);
    }
    add(std::move(o));
  }

  void create_table(const json& body) {
    auto table = relation_name(body.value("relation", json::object()));
    SchemaObject t;
    t.table = table;
    add(t);
    for (const auto& element : body.value("tableElts", json::array())) {
      if (element.contains("ColumnDef")) column(table, element["ColumnDef"]);
      if (element.contains("Constraint")) constraint(table, element["Constraint"]);
    }
  }

  void create_index(const json& body) {
    SchemaObject o;
    o.kind = SchemaObject::Kind::index;
    o.table = relation_name(body.value("relation", json::object()));
    o.name = body.value("idxname", "");
    o.unique = body.value("unique", false);
    std::vector<std::string> columns;
    bool expression = false;
    for (const auto& param : body.value("indexParams", json::array())) {
      const auto& elem = param.value("IndexElem", json::object());
      if (!elem.contains("name")) {
        expression = true; // expressions print differently from how they were written: not compared
        break;
      }
      std::string text = elem["name"].get<std::string>();
      auto ordering = elem.value("ordering", "");
      auto nulls = elem.value("nulls_ordering", "");
      if (ordering == "SORTBY_DESC") text += " DESC";
      if (nulls == "SORTBY_NULLS_FIRST") text += " NULLS FIRST";
      if (nulls == "SORTBY_NULLS_LAST") text += " NULLS LAST";
      columns.push_back(text);
    }
    if (!expression) o.columns = columns;
    add(std::move(o));
  }

  void alter_table(const json& body) {
    auto table = relation_name(body.value("relation", json::object()));
    for (const auto& cmd : body.value("cmds", json::array())) {
      const auto& c = cmd.value("AlterTableCmd", json::object());
      auto subtype = c.value("subtype", "");
      const auto& def = c.value("def", json::object());
      if (subtype == "AT_AddConstraint" && def.contains("Constraint"))
        constraint(table, def["Constraint"]);
      if (subtype == "AT_AddColumn" && def.contains("ColumnDef")) column(table, def["ColumnDef"]);
    }
  }

  const migrate::Migration& m_migration;
  Location m_location;
  std::vector<Check> m_checks;
};

} // namespace

std::vector<Check> derive_checks(const migrate::Migration& migration) {
  return Deriver(migration).run();
}

} // namespace preflight::check
