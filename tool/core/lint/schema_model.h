#pragma once
// What lint knows about the schema from the migrations it has read so far: tables and their
// column types, indexes, and CHECK (col IS NOT NULL) constraints. Best effort: objects the
// migrations never created are unknown, and rules treat unknown tables as existing.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace preflight::lint {

struct ColumnType {
  std::string name;               // PostgreSQL's internal name: "int4", "varchar", "text"
  std::vector<std::int64_t> mods; // type modifiers, e.g. {20} for varchar(20)
  bool array = false;

  /// "varchar(20)", "int8", "text[]".
  std::string to_string() const;
  bool operator==(const ColumnType& other) const = default;
};

/// The type named by a parse-tree TypeName node.
ColumnType column_type(const nlohmann::json& type_name);

/// True if ALTER COLUMN TYPE from `from` to `to` keeps the table's data as it is (no rewrite),
/// e.g. varchar(n) → varchar(m ≥ n), varchar → text, numeric(p,s) → numeric(q ≥ p,s).
bool binary_coercible(const ColumnType& from, const ColumnType& to);

struct NotNullCheck {
  std::string table;
  std::string column;
  bool validated = false;
};

class SchemaModel {
public:
  void create_table(const std::string& table, std::map<std::string, ColumnType> columns);
  void drop_table(const std::string& table);
  void rename_table(const std::string& from, const std::string& to);
  /// The column's type, or nullptr when the migrations did not define it.
  const ColumnType* column(const std::string& table, const std::string& column) const;
  void set_column(const std::string& table, const std::string& column, ColumnType type);
  void drop_column(const std::string& table, const std::string& column);
  void rename_column(const std::string& table, const std::string& from, const std::string& to);

  void add_index(const std::string& index, const std::string& table);
  /// The table of a known index, or "" when unknown.
  std::string index_table(const std::string& index) const;
  void drop_index(const std::string& index);

  void add_not_null_check(const std::string& name, NotNullCheck check);
  void validate_constraint(const std::string& table, const std::string& name);
  void drop_constraint(const std::string& table, const std::string& name);
  /// True if a validated CHECK (column IS NOT NULL) on the table is known.
  bool has_validated_not_null_check(const std::string& table, const std::string& column) const;

private:
  std::map<std::string, std::map<std::string, ColumnType>> m_tables;
  std::map<std::string, std::string> m_indexes; // index → table
  std::map<std::string, NotNullCheck> m_checks; // constraint name → check
};

} // namespace preflight::lint
