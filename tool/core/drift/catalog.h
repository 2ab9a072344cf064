#pragma once
// The schema of one database as read from its pg_catalog: what `migrate diff` compares. Plain
// data keyed by qualified name; definitions are PostgreSQL's own pg_get_*def texts, read with
// search_path = pg_catalog so that every name in them is schema-qualified on both sides.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace preflight::drift {

struct Column {
  std::string name;
  std::string sql_name; // quoted as SQL needs it
  int position = 0;     // 1-based among the table's live columns
  std::string type;     // format_type(), e.g. "character varying(40)"
  bool not_null = false;
  std::optional<std::string> default_expr; // pg_get_expr(adbin); absent for generated columns
  std::string collation;                   // "" unless a COLLATE differs from the type's own
  std::string identity;                    // "", "ALWAYS" or "BY DEFAULT"
  std::string generated;                   // the STORED expression, or ""
  std::optional<std::string> comment;
};

struct Constraint {
  std::string name;
  std::string sql_name;
  char type = 'c';        // pg_constraint.contype: c f p u x t
  std::string definition; // pg_get_constraintdef() without DEFERRABLE / INITIALLY / NOT VALID
  bool deferrable = false;
  bool deferred = false;
  bool validated = true;
  std::optional<std::string> comment;
};

struct Table {
  std::string schema;
  std::string name;
  std::string sql_name; // "schema"."table", quoted
  char kind = 'r';      // pg_class.relkind: r (table), p (partitioned), f (foreign)
  bool unlogged = false;
  std::string partition_key;   // pg_get_partkeydef(), or ""
  std::string partition_of;    // parent table, or ""
  std::string partition_bound; // FOR VALUES …, or ""
  std::vector<Column> columns; // in position order
  std::vector<Constraint> constraints;
  std::optional<std::string> comment;
};

struct Index {
  std::string schema;
  std::string name;
  std::string sql_name;
  std::string table;      // qualified, unquoted
  std::string definition; // pg_get_indexdef()
  bool unique = false;
  std::string predicate; // the partial index's WHERE, or ""
  bool valid = true;
  bool ready = true;
  std::optional<std::string> comment;
};

struct Sequence {
  std::string schema;
  std::string name;
  std::string sql_name;
  std::string type;
  std::int64_t start = 1;
  std::int64_t increment = 1;
  std::int64_t min = 1;
  std::int64_t max = 0;
  std::int64_t cache = 1;
  bool cycle = false;
  std::string owned_by; // "schema.table.column", or ""
  std::optional<std::string> comment;
};

struct View {
  std::string schema;
  std::string name;
  std::string sql_name;
  bool materialized = false;
  std::string definition; // pg_get_viewdef()
  std::optional<std::string> comment;
};

struct Function {
  std::string schema;
  std::string name;
  std::string signature;     // name(identity arguments), e.g. "touch(integer, text)"
  std::string sql_signature; // quoted, schema-qualified: for DROP / COMMENT ON
  char kind = 'f';           // pg_proc.prokind: f p a w
  std::string result;        // pg_get_function_result(), "" for a procedure
  std::string language;
  std::string attributes; // volatility, strictness, security, parallel, SET …: one text
  std::string body;       // prosrc, or the SQL-standard body
  std::string definition; // pg_get_functiondef() (CREATE OR REPLACE …), "" for aggregates
  std::optional<std::string> comment;
};

struct Trigger {
  std::string name;
  std::string sql_name;
  std::string table;      // qualified, unquoted
  std::string table_sql;  // quoted
  std::string definition; // pg_get_triggerdef()
  char enabled = 'O';     // pg_trigger.tgenabled: O D R A
  std::optional<std::string> comment;
};

struct EnumType {
  std::string schema;
  std::string name;
  std::string sql_name;
  std::vector<std::string> labels; // in sort order
  std::optional<std::string> comment;
};

struct Extension {
  std::string name;
  std::string sql_name;
  std::string version;
  std::string schema;
};

struct Schema {
  std::string name;
  std::string sql_name;
  std::optional<std::string> comment;
};

/// A database's schema, keyed by qualified name ("schema.table", "schema.f(integer)",
/// "schema.table.trigger"); extension members, system schemas and the history table excluded.
struct Catalog {
  int server_version = 0; // e.g. 150018
  std::map<std::string, Schema> schemas;
  std::map<std::string, Table> tables;
  std::map<std::string, Index> indexes;
  std::map<std::string, Sequence> sequences;
  std::map<std::string, View> views;
  std::map<std::string, Function> functions;
  std::map<std::string, Trigger> triggers;
  std::map<std::string, EnumType> enums;
  std::map<std::string, Extension> extensions;
};

} // namespace preflight::drift
