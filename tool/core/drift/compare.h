#pragma once
// Compares the catalog the migrations produce (expected) with the live one (actual), by name
// and meaning: objects are matched by qualified name, definitions by PostgreSQL's own
// pg_get_*def texts with insignificant whitespace removed, columns by name (their order is a
// difference of its own). Pure: two catalogs in, typed differences out.

#include <optional>
#include <string>
#include <vector>

#include "core/drift/catalog.h"
#include "core/drift/pattern.h"

namespace preflight::drift {

enum class Change {
  missing, // the migrations create it; the database does not have it
  extra,   // the database has it; no migration creates it
  changed, // both have it, and `aspect` differs
};

/// "missing", "extra", "changed".
std::string to_string(Change change);

struct Difference {
  std::string kind;   // "table", "column", "index", "constraint", "function", … (as users say it)
  std::string object; // qualified name: "public.users.email", "public.f(integer)"
  Change change = Change::changed;
  std::string aspect;   // what differs: "default", "type", "valid", "definition", … ("" if whole)
  std::string expected; // what the migrations produce ("" when missing from them)
  std::string actual;   // what the database has ("" when missing from it)
  std::string explanation;        // one line
  std::optional<std::string> sql; // one statement that brings the database to the expected state
};

struct CompareOptions {
  bool comments = false;       // compare COMMENT ON texts too
  std::vector<Pattern> ignore; // objects (or their tables) whose qualified name matches
};

/// Every difference between `expected` and `actual`, ordered by object kind then name; empty when
/// the schemas match.
std::vector<Difference> compare_catalogs(const Catalog& expected, const Catalog& actual,
                                         const CompareOptions& options);

/// Leaves in `catalog` only the objects in `schema` (and the schema itself); extensions, which
/// belong to the whole database, stay.
void keep_schema(Catalog& catalog, const std::string& schema);

/// `text` with whitespace runs outside quoted literals and identifiers collapsed to one space and
/// trimmed, and spaces next to punctuation removed: two definitions that differ only in layout
/// compare equal.
std::string normalize_definition(std::string_view text);

/// `text` as an SQL string literal ('…', quotes doubled).
std::string quote_literal(std::string_view text);

} // namespace preflight::drift
