#include "core/check/read_only.h"

#include <array>

#include <fmt/format.h>

#include "core/sql/parsed_sql.h"

namespace preflight::check {

namespace {

// Functions whose effect escapes a READ ONLY transaction (signals, configuration, session
// locks, other databases, large objects, replication, files) or that it does not block. Calls
// of user-defined functions cannot be classified: they still run in the READ ONLY
// transaction, where PostgreSQL refuses any write they attempt.
constexpr std::array<std::string_view, 16> k_refused_prefixes{"pg_terminate_backend",
                                                              "pg_cancel_backend",
                                                              "pg_reload_conf",
                                                              "pg_rotate_logfile",
                                                              "pg_stat_reset",
                                                              "pg_advisory",
                                                              "pg_try_advisory",
                                                              "set_config",
                                                              "dblink",
                                                              "lo_",
                                                              "pg_file_",
                                                              "pg_switch_wal",
                                                              "pg_create_",
                                                              "pg_drop_replication",
                                                              "pg_replication_origin",
                                                              "pg_logical_emit_message"};
constexpr std::array<std::string_view, 5> k_refused_exact{
    "nextval", "setval", "pg_notify", "pg_promote", "pg_import_system_collations"};

const std::array<std::pair<std::string_view, std::string_view>, 8> k_write_nodes{{
    {"InsertStmt", "INSERT"},
    {"UpdateStmt", "UPDATE"},
    {"DeleteStmt", "DELETE"},
    {"MergeStmt", "MERGE"},
    {"CreateTableAsStmt", "CREATE TABLE AS"},
    {"CopyStmt", "COPY"},
    {"CallStmt", "CALL"},
    {"DoStmt", "DO"},
}};

std::string function_name(const nlohmann::json& call) {
  std::string name;
  if (!call.contains("funcname")) return name;
  for (const auto& part : call["funcname"]) {
    if (part.contains("String"))
      name = part["String"].value("sval", ""); // the last part, unqualified
  }
  return name;
}

bool refused_function(const std::string& name) {
  for (auto exact : k_refused_exact) {
    if (name == exact) return true;
  }
  for (auto prefix : k_refused_prefixes) {
    if (name.compare(0, prefix.size(), prefix) == 0) return true;
  }
  return false;
}

// Walks the whole parse tree: writable CTEs, SELECT INTO and row locks can sit in any subquery.
std::optional<std::string> scan(const nlohmann::json& node) {
  if (node.is_array()) {
    for (const auto& item : node) {
      if (auto why = scan(item)) return why;
    }
    return std::nullopt;
  }
  if (!node.is_object()) return std::nullopt;
  for (const auto& [key, value] : node.items()) {
    for (const auto& [type, label] : k_write_nodes) {
      if (key == type) return fmt::format("it contains {} (a data-modifying statement)", label);
    }
    if (key == "SelectStmt") {
      if (value.contains("intoClause")) return std::string("SELECT … INTO creates a table");
      if (value.contains("lockingClause"))
        return std::string("SELECT … FOR UPDATE/SHARE takes row locks");
    }
    if (key == "FuncCall") {
      auto name = function_name(value);
      if (refused_function(name)) {
        return fmt::format("it calls {}(), which has effects outside a read-only transaction",
                           name);
      }
    }
    if (auto why = scan(value)) return why;
  }
  return std::nullopt;
}

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
  if (type == "SelectStmt") return scan(statement.tree);
  if (use == QueryUse::sql && type == "VariableShowStmt") return std::nullopt;
  if (use == QueryUse::sql && type == "ExplainStmt") {
    if (explain_analyzes(body))
      return std::string("EXPLAIN ANALYZE runs the statement; use a `plan` check");
    sql::Statement query;
    if (body.contains("query")) query.tree = body["query"];
    if (!body.contains("query") || sql::node_type(query) != "SelectStmt") {
      return std::string("only EXPLAIN of a SELECT is allowed");
    }
    return scan(body);
  }
  for (const auto& [node, label] : k_write_nodes) {
    if (type == node) return fmt::format("{} writes", label);
  }
  std::string kind = type.size() > 4 && type.compare(type.size() - 4, 4, "Stmt") == 0
                         ? type.substr(0, type.size() - 4)
                         : type;
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
