#include "core/lint/schema_model.h"

#include <fmt/format.h>

namespace preflight::lint {

std::string ColumnType::to_string() const {
  // The SQL names users write rather than PostgreSQL's internal ones.
  static const std::map<std::string, std::string> k_sql_names{
      {"int2", "smallint"},           {"int4", "integer"}, {"int8", "bigint"}, {"float4", "real"},
      {"float8", "double precision"}, {"bpchar", "char"},  {"bool", "boolean"}};
  auto sql_name = k_sql_names.find(name);
  std::string text = sql_name == k_sql_names.end() ? name : sql_name->second;
  if (!mods.empty()) {
    text += "(";
    for (std::size_t i = 0; i < mods.size(); ++i) text += (i ? "," : "") + std::to_string(mods[i]);
    text += ")";
  }
  return array ? text + "[]" : text;
}

ColumnType column_type(const nlohmann::json& type_name) {
  ColumnType type;
  if (type_name.contains("names") && !type_name["names"].empty()) {
    type.name = type_name["names"].back()["String"].value("sval", "");
  }
  if (type_name.contains("typmods")) {
    for (const auto& mod : type_name["typmods"]) {
      // libpg_query omits zero-valued fields: {"ival": {}} is 0.
      if (mod.contains("A_Const") && mod["A_Const"].contains("ival")) {
        type.mods.push_back(mod["A_Const"]["ival"].value("ival", std::int64_t{0}));
      }
    }
  }
  type.array = type_name.contains("arrayBounds");
  return type;
}

bool binary_coercible(const ColumnType& from, const ColumnType& to) {
  if (from == to) return true;
  if (from.array != to.array) return false;
  auto widened = [&](std::size_t count) {
    // No modifier on the target means unbounded; otherwise every bound must grow or stay.
    if (to.mods.empty()) return true;
    if (from.mods.empty() || from.mods.size() != to.mods.size() || to.mods.size() > count)
      return false;
    return to.mods[0] >= from.mods[0] &&
           (count < 2 || to.mods.size() < 2 || to.mods[1] == from.mods[1]);
  };
  if (from.name == "varchar" && to.name == "varchar") return widened(1);
  if (from.name == "varchar" && to.name == "text") return true;
  if (from.name == "text" && to.name == "varchar") return to.mods.empty();
  if (from.name == "varbit" && to.name == "varbit") return widened(1);
  if (from.name == "numeric" && to.name == "numeric") return widened(2);
  if (from.name == "cidr" && to.name == "inet") return true;
  return false;
}

void SchemaModel::create_table(const std::string& table,
                               std::map<std::string, ColumnType> columns) {
  m_tables[table] = std::move(columns);
}

void SchemaModel::drop_table(const std::string& table) {
  m_tables.erase(table);
  std::erase_if(m_indexes, [&](const auto& entry) { return entry.second == table; });
  std::erase_if(m_checks, [&](const auto& entry) { return entry.second.table == table; });
}

void SchemaModel::rename_table(const std::string& from, const std::string& to) {
  if (auto it = m_tables.find(from); it != m_tables.end()) {
    m_tables[to] = std::move(it->second);
    m_tables.erase(from);
  }
  for (auto& [index, table] : m_indexes) {
    if (table == from) table = to;
  }
  for (auto& [name, check] : m_checks) {
    if (check.table == from) check.table = to;
  }
}

const ColumnType* SchemaModel::column(const std::string& table, const std::string& column) const {
  auto t = m_tables.find(table);
  if (t == m_tables.end()) return nullptr;
  auto c = t->second.find(column);
  return c == t->second.end() ? nullptr : &c->second;
}

void SchemaModel::set_column(const std::string& table, const std::string& column, ColumnType type) {
  if (auto t = m_tables.find(table); t != m_tables.end()) t->second[column] = std::move(type);
}

void SchemaModel::drop_column(const std::string& table, const std::string& column) {
  if (auto t = m_tables.find(table); t != m_tables.end()) t->second.erase(column);
}

void SchemaModel::rename_column(const std::string& table, const std::string& from,
                                const std::string& to) {
  auto t = m_tables.find(table);
  if (t == m_tables.end()) return;
  if (auto c = t->second.find(from); c != t->second.end()) {
    t->second[to] = std::move(c->second);
    t->second.erase(from);
  }
}

void SchemaModel::add_index(const std::string& index, const std::string& table) {
  m_indexes[index] = table;
}

std::string SchemaModel::index_table(const std::string& index) const {
  auto it = m_indexes.find(index);
  return it == m_indexes.end() ? std::string{} : it->second;
}

void SchemaModel::drop_index(const std::string& index) {
  m_indexes.erase(index);
}

void SchemaModel::add_not_null_check(const std::string& name, NotNullCheck check) {
  m_checks[name] = std::move(check);
}

void SchemaModel::validate_constraint(const std::string& table, const std::string& name) {
  if (auto it = m_checks.find(name); it != m_checks.end() && it->second.table == table)
    it->second.validated = true;
}

void SchemaModel::drop_constraint(const std::string& table, const std::string& name) {
  if (auto it = m_checks.find(name); it != m_checks.end() && it->second.table == table)
    m_checks.erase(it);
}

bool SchemaModel::has_validated_not_null_check(const std::string& table,
                                               const std::string& column) const {
  for (const auto& [name, check] : m_checks) {
    if (check.table == table && check.column == column && check.validated) return true;
  }
  return false;
}

} // namespace preflight::lint
