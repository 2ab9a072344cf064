#pragma once
// SQL analysed with the real PostgreSQL parser (libpg_query): statements with their position in
// the source and their parse tree as JSON (libpg_query's JSON output format).

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace preflight::sql {

struct Statement {
  std::string text;               // the statement's bytes from its first token, without the ';'
  std::size_t offset = 0;         // byte offset of `text` (its first token) in the source
  std::size_t leading_offset = 0; // where the whitespace and comments before it start (after the
                                  // previous ';'): per-statement directives live in that gap
  nlohmann::json tree;            // e.g. {"IndexStmt": {...}}
};

/// Parses `source` into statements; throws Error(input) located at line:column (file left
/// empty for the caller to fill in) when the SQL does not parse.
std::vector<Statement> parse_statements(std::string_view source);

/// Like parse_statements() but without the parse trees (`tree` left null): the same validation
/// and split at a fraction of the cost, for code that only needs the statements' text.
std::vector<Statement> split_statements(std::string_view source);

/// The statement's node type, e.g. "IndexStmt", "AlterTableStmt" (empty if unknown).
std::string node_type(const Statement& statement);

/// The $n parameter numbers a parse tree (or part of one) uses.
std::set<std::int64_t> parameter_numbers(const nlohmann::json& tree);

/// libpg_query's fingerprint of `source` as a hex string (identical for queries that differ
/// only in constants); throws Error(input) if it does not parse.
std::string fingerprint(std::string_view source);

} // namespace preflight::sql
