#pragma once
// Compares what the catalog says about an object with what a `schema` check requires. The io
// layer reads the catalog into these facts; the comparison stays pure and unit-tested.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/check/check_file.h"

namespace preflight::check {

/// An index key column in canonical form: "name", "name DESC", "name NULLS FIRST",
/// "name DESC NULLS LAST" (ASC and default NULLS ordering dropped, keywords upper-case).
std::string canonical_index_column(std::string_view written);
/// The canonical form of a key column as the catalog describes it (pg_index.indoption bits).
std::string index_column_from_catalog(const std::string& name, bool descending, bool nulls_first);
/// "cascade", "restrict", "no action", "set null", "set default" for pg_constraint.confdeltype.
std::string delete_action_name(char confdeltype);

struct IndexFacts {
  std::string table; // as regclass prints it
  bool on_required_table = true;
  bool unique = false;
  bool valid = true;
  std::vector<std::string> columns; // canonical
};

struct ConstraintFacts {
  std::string table;
  bool on_required_table = true;
  std::string type; // "foreign key", "unique", "primary key", "check", "exclusion"
  std::vector<std::string> columns;
  std::string references;          // referenced table as regclass prints it ("" if not an FK)
  bool references_required = true; // confrelid = the required `references` table
  std::string on_delete;           // "" if not an FK
  bool validated = true;
};

struct ColumnFacts {
  std::string type;         // format_type(atttypid, atttypmod)
  bool type_matches = true; // the required type resolves to the column's type
  bool not_null = false;
};

struct SchemaMatch {
  bool passed = false;
  std::string
      measured; // what exists, e.g. "index on focus_sessions (user_id, status, started_at DESC)"
  std::string detail; // the differences, one per line
};

/// Compares an index (nullopt: it does not exist) with the required object.
SchemaMatch match_index(const SchemaObject& required, const std::optional<IndexFacts>& found);
/// Compares a constraint (nullopt: it does not exist) with the required object.
SchemaMatch match_constraint(const SchemaObject& required,
                             const std::optional<ConstraintFacts>& found);
/// Compares a column (nullopt: it does not exist) with the required object.
SchemaMatch match_column(const SchemaObject& required, const std::optional<ColumnFacts>& found);

} // namespace preflight::check
