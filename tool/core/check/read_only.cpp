#include "core/check/read_only.h"

#include <fmt/format.h>

#include "core/sql/parsed_sql.h"
#include "core/sql/read_only.h"

namespace preflight::check {

namespace {

bool explain_analyzes(const nlohmann::json& explain) {
  if (!explain.contains("options")) return false;
  for (const auto& option : explain["options"]) {
    if (!option.contains("DefElem")) continue;
    const auto& def = option["DefElem"];
    if (def.value("defname", "") != "analyze") continue;
    // ANALYZE, ANALYZE true/on/1 run the statement; ANALYZE false/off/0 do not.
    if (!def.contains("arg")) return true;
    auto text = def["arg"].dump();
    return text.find("false") == std::string::npos && text.find("\"off\"") == std::string::npos &&
           text.find("\"ival\":0") == std::string::npos && text != R"({"Integer":{}})";
  }
  return false;
}

} // namespace

std::optional<std::string> write_refusal(std::string_view sql, QueryUse use) {
  std::vector<sql::Statement> statements;
  try {
    statements = sql::parse_statements(sql);
  } catch (const Error& e) {
    auto where = e.location();
    return where && where->line > 0 ? fmt::format("{} (query line {}, column {})", e.message(),
                                                  where->line, where->column)
                                    : e.message();
  }
  if (statements.empty()) return std::string("the query is empty");
  if (statements.size() > 1)
    return fmt::format("it has {} statements; a check runs exactly one", statements.size());
  const auto& statement = statements.front();
  auto type = sql::node_type(statement);
  const auto& body = statement.tree[type];
  if (type == "SelectStmt") return sql::not_read_only(statement);
  if (use == QueryUse::sql && type == "VariableShowStmt") return std::nullopt;
  if (use == QueryUse::sql && type == "ExplainStmt") {
    if (explain_analyzes(body))
      return std::string("EXPLAIN ANALYZE runs the statement; use a `plan` check");
    sql::Statement query;
    if (body.contains("query")) query.tree = body["query"];
    if (!body.contains("query") || sql::node_type(query) != "SelectStmt") {
      return std::string("only EXPLAIN of a SELECT is allowed");
    }
    return sql::write_in_tree(body);
  }
  const std::string kind = sql::statement_kind(type);
  if (sql::is_data_modifying(type)) return fmt::format("{} writes", kind);
  return use == QueryUse::plan
             ? fmt::format("a `plan` check takes a SELECT or VALUES query, not {}", kind)
             : fmt::format(
                   "only SELECT, VALUES, SHOW and EXPLAIN of a SELECT may run in a check, not {}",
                   kind);
}

void refuse_writes(const std::vector<Check>& checks) {
  std::vector<Error> refused;
  for (const auto& check : checks) {
    if (check.kind == CheckKind::statements) {
      try {
        sql::fingerprint(check.query);
      } catch (const Error& e) {
        refused.emplace_back(ErrorKind::input,
                             fmt::format("check \"{}\": {}", check.name, e.message()),
                             std::string(), check.query_location);
      }
      continue;
    }
    if (check.kind != CheckKind::sql && check.kind != CheckKind::plan) continue;
    auto why =
        write_refusal(check.query, check.kind == CheckKind::plan ? QueryUse::plan : QueryUse::sql);
    if (!why) continue;
    refused.emplace_back(ErrorKind::input,
                         fmt::format("check \"{}\" refused: {}", check.name, *why),
                         "checks are read-only by design; nothing was run", check.query_location);
  }
  if (!refused.empty()) throw Error::combine(std::move(refused));
}

} // namespace preflight::check
