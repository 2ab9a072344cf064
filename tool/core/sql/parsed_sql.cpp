#include "core/sql/parsed_sql.h"

#include <pg_query.h>

#include <algorithm>
#include <memory>

#include "core/error.h"
#include "core/sql/sql_bytes.h"
#include "core/sql/statement_text.h"
#include "core/sql/text_position.h"

namespace preflight::sql {

namespace {

// libpg_query wants a NUL-terminated string and reports positions as 1-based characters.
Error parse_error(std::string_view source, const PgQueryError& err) {
  std::string message = err.message ? err.message : "syntax error";
  Location where;
  if (err.cursorpos > 0) {
    auto byte = byte_offset_of_char(source, static_cast<std::size_t>(err.cursorpos));
    auto at = line_column_at(source, byte);
    where.line = at.line;
    where.column = at.column;
  }
  return Error(ErrorKind::input, "SQL does not parse: " + message, {}, where);
}

// libpg_query's statement location starts right after the previous ';', comments included;
// users (and the server's error positions) want the statement's own first token.
Statement make_statement(std::string_view source, std::size_t location, std::size_t length) {
  Statement statement;
  statement.leading_offset = location;
  statement.offset = std::min(first_token_offset(source, location), location + length);
  statement.text =
      std::string(source.substr(statement.offset, location + length - statement.offset));
  return statement;
}

bool is_blank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n\f\v") == std::string_view::npos;
}

} // namespace

std::vector<Statement> parse_statements(std::string_view source) {
  // The parser stops at a NUL, and its JSON carries an invalid UTF-8 byte raw, which the JSON
  // reader refuses: both are the input's fault, said at their line and column.
  if (auto bad = check_sql_bytes(source, {})) throw *bad;
  const std::string input(source);
  PgQueryParseResult result = pg_query_parse(input.c_str());
  std::unique_ptr<PgQueryParseResult, void (*)(PgQueryParseResult*)> guard(
      &result, [](PgQueryParseResult* r) { pg_query_free_parse_result(*r); });
  if (result.error) throw parse_error(source, *result.error);

  auto tree = nlohmann::json::parse(result.parse_tree);
  std::vector<Statement> statements;
  if (!tree.contains("stmts")) return statements;
  for (auto& raw : tree["stmts"]) {
    auto location = raw.value("stmt_location", std::size_t{0});
    auto length = raw.value("stmt_len", std::size_t{0});
    if (length == 0 || location + length > source.size()) length = source.size() - location;
    Statement statement = make_statement(source, location, length);
    statement.tree = std::move(raw["stmt"]);
    if (is_blank(statement.text)) continue;
    statements.push_back(std::move(statement));
  }
  return statements;
}

std::vector<Statement> split_statements(std::string_view source) {
  // The parser-based split runs the full grammar (so syntax errors are found) but skips turning
  // the tree into JSON and parsing that back, which dominates parse_statements() on small files.
  const std::string input(source);
  PgQuerySplitResult result = pg_query_split_with_parser(input.c_str());
  std::unique_ptr<PgQuerySplitResult, void (*)(PgQuerySplitResult*)> guard(
      &result, [](PgQuerySplitResult* r) { pg_query_free_split_result(*r); });
  if (result.error) throw parse_error(source, *result.error);
  std::vector<Statement> statements;
  statements.reserve(static_cast<std::size_t>(result.n_stmts));
  for (int i = 0; i < result.n_stmts; ++i) {
    auto location = static_cast<std::size_t>(result.stmts[i]->stmt_location);
    auto length = static_cast<std::size_t>(result.stmts[i]->stmt_len);
    if (location > source.size()) continue;
    if (length == 0 || location + length > source.size()) length = source.size() - location;
    Statement statement = make_statement(source, location, length);
    if (is_blank(statement.text)) continue;
    statements.push_back(std::move(statement));
  }
  return statements;
}

std::string node_type(const Statement& statement) {
  if (statement.tree.is_object() && !statement.tree.empty()) return statement.tree.begin().key();
  return {};
}

std::string fingerprint(std::string_view source) {
  const std::string input(source);
  PgQueryFingerprintResult result = pg_query_fingerprint(input.c_str());
  std::unique_ptr<PgQueryFingerprintResult, void (*)(PgQueryFingerprintResult*)> guard(
      &result, [](PgQueryFingerprintResult* r) { pg_query_free_fingerprint_result(*r); });
  if (result.error) throw parse_error(source, *result.error);
  return result.fingerprint_str ? result.fingerprint_str : "";
}

namespace {

void collect_parameters(const nlohmann::json& node, std::set<std::int64_t>& out) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "ParamRef" && value.contains("number"))
        out.insert(value["number"].get<std::int64_t>());
      collect_parameters(value, out);
    }
  } else if (node.is_array()) {
    for (const auto& item : node) collect_parameters(item, out);
  }
}

} // namespace

std::set<std::int64_t> parameter_numbers(const nlohmann::json& tree) {
  std::set<std::int64_t> numbers;
  collect_parameters(tree, numbers);
  return numbers;
}

} // namespace preflight::sql
