#pragma once
// A checks file (TOML, `[[check]]` tables): post-deploy assertions run against a live database.
// Parsed from text (the caller reads the file) so that every problem names file, line and key.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/check/expectation.h"
#include "core/error.h"
#include "core/plan/plan.h"

namespace preflight::check {

enum class CheckKind { sql, index_used, plan, schema, migration, statements, drift };

/// Stable lower-case name of a kind, as written in checks files and JSON.
std::string to_string(CheckKind kind);

/// A database object a `schema` check requires.
struct SchemaObject {
  enum class Kind { table, column, index, constraint };
  Kind kind = Kind::table;
  std::string table; // the table (index and constraint: optional for a named object)
  std::string name;  // column, index or constraint name ("" = any index on table)
  std::optional<std::vector<std::string>> columns; // index / constraint key columns, in order
  std::optional<bool> unique;                      // index
  std::optional<std::string> type;                 // column type, as PostgreSQL resolves it
  std::optional<bool> nullable;                    // column
  std::optional<std::string> references;           // constraint: referenced table (a foreign key)
  std::optional<std::string>
      on_delete; // constraint: "cascade", "restrict", "no action", "set null", "set default"

  /// "index idx on focus_sessions (user_id, status, started_at DESC)", "table users", …
  std::string describe() const;
};

struct Check {
  std::string name;
  CheckKind kind = CheckKind::sql;
  Location location;       // where the check is defined (its `[[check]]` header or migration line)
  Location query_location; // where its `query` is written (for refusals)
  bool optional = false;   // statements: skip instead of fail when pg_stat_statements is missing

  std::string query;                 // sql, plan, statements
  std::optional<Expectation> expect; // sql
  std::string index;                 // index_used
  std::vector<std::string> params;   // plan: $1…$n as text
  bool analyze = false;              // plan: EXPLAIN ANALYZE (runs the query)
  plan::PlanExpectation plan;        // plan
  SchemaObject object;               // schema
  std::int64_t version = 0;          // migration
  std::string version_text;          // migration: `version` as the files write it ("1.2")
  bool newest = true;                // migration: V must also be the newest applied version
  double max_mean_ms = 0;            // statements
  std::int64_t min_calls = 1;        // statements
  std::optional<std::int64_t> to;    // drift: expect the migrations up to this version
  std::string to_text; // drift: `to` as the files write it ("1.2"), until resolved into `to`
  std::vector<std::string> ignore; // drift: globs on qualified names to leave out
  bool comments = false;           // drift: compare COMMENT ON texts too
};

/// Parses checks-file text; `path` is used in messages. Throws one Error(input) listing every
/// problem at file:line:col (TOML syntax, unknown keys, wrong types, missing keys, bad
/// expectations, duplicate names).
std::vector<Check> parse_checks(std::string_view text, const std::string& path);

/// Parses a duration such as "30s", "500ms", "2min", "1h" into milliseconds; throws
/// Error(usage) naming `what` when it is not one.
std::int64_t parse_duration_ms(std::string_view text, const std::string& what);

} // namespace preflight::check
