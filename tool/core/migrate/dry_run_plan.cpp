#include "core/migrate/dry_run_plan.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"
#include "core/sql/parsed_sql.h"

namespace preflight::migrate {

namespace {

using json = nlohmann::json;

std::string quoted(const std::string& name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string qualified(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : ".") + quoted(part);
  return out;
}

bool is_serial(const json& type_name) {
  const auto names = type_name.value("names", json::array());
  if (names.empty() || !names.back().contains("String")) return false;
  const std::string name = names.back()["String"].value("sval", "");
  return name == "serial" || name == "bigserial" || name == "smallserial" || name == "serial2" ||
         name == "serial4" || name == "serial8";
}

// Walks a parse tree. libpg_query writes typed fields without their node name (a RangeVar
// field is {"relname": …}), so nodes are recognised by their members, wrapped or not.
void walk(const json& node, LockEstimate& estimate) {
  if (node.is_array()) {
    for (const auto& item : node) walk(item, estimate);
    return;
  }
  if (!node.is_object()) return;
  if (node.contains("relname") && node["relname"].is_string()) {
    std::vector<std::string> parts;
    if (!node.value("schemaname", std::string{}).empty()) parts.push_back(node["schemaname"]);
    parts.push_back(node["relname"]);
    estimate.named.insert(qualified(parts));
  }
  if (node.contains("colname") && node.contains("typeName") && is_serial(node["typeName"]))
    ++estimate.unnamed; // its sequence
  if (node.contains("contype") && node["contype"].is_string()) {
    const std::string type = node["contype"];
    if (type == "CONSTR_PRIMARY" || type == "CONSTR_UNIQUE" || type == "CONSTR_EXCLUSION" ||
        type == "CONSTR_IDENTITY")
      ++estimate.unnamed; // its index, or its sequence
  }
  for (const auto& [key, value] : node.items()) walk(value, estimate);
}

bool is_relation_kind(const std::string& remove_type) {
  return remove_type == "OBJECT_TABLE" || remove_type == "OBJECT_INDEX" ||
         remove_type == "OBJECT_SEQUENCE" || remove_type == "OBJECT_VIEW" ||
         remove_type == "OBJECT_MATVIEW" || remove_type == "OBJECT_FOREIGN_TABLE";
}

void count_statement(const sql::Statement& statement, LockEstimate& estimate) {
  const std::string type = sql::node_type(statement);
  const json& body = statement.tree.contains(type) ? statement.tree[type] : statement.tree;
  walk(body, estimate);
  if (type == "CreateStmt" || type == "CreateTableAsStmt") {
    estimate.unnamed += 2; // a TOAST table and its index, whether or not a column needs them
  } else if (type == "IndexStmt") {
    estimate.unnamed += 1; // the index (its name is no RangeVar)
  } else if (type == "AlterTableStmt") {
    estimate.unnamed += 3; // a rewrite's transient heap, its TOAST table and index
  } else if (type == "DropStmt" && is_relation_kind(body.value("removeType", ""))) {
    for (const auto& object : body.value("objects", json::array())) {
      std::vector<std::string> parts;
      for (const auto& part :
           object.contains("List") ? object["List"].value("items", json::array()) : json::array())
        if (part.contains("String")) parts.push_back(part["String"].value("sval", ""));
      if (!parts.empty()) estimate.named.insert(qualified(parts));
    }
    if (body.value("removeType", "") == "OBJECT_INDEX")
      estimate.unnamed += static_cast<std::int64_t>(body.value("objects", json::array()).size());
  }
}

std::string thousands(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (n < 0 ? "-" : "") + out;
}

std::string room(const LockSpace& space) {
  return fmt::format("{} = {} × ({} + {}) minus {} held by other sessions",
                     thousands(space.available()), space.max_locks_per_transaction,
                     space.max_connections, space.max_prepared_transactions,
                     thousands(space.held_by_others));
}

} // namespace

std::optional<DryRunMode> parse_dry_run_mode(std::string_view text) {
  if (text == "transaction") return DryRunMode::transaction;
  if (text == "copy") return DryRunMode::copy;
  if (text == "auto") return DryRunMode::automatic;
  return std::nullopt;
}

std::string to_string(DryRunMode mode) {
  switch (mode) {
  case DryRunMode::transaction: return "transaction";
  case DryRunMode::copy: return "copy";
  case DryRunMode::automatic: return "auto";
  }
  return "auto";
}

std::int64_t LockEstimate::total(std::int64_t dependents) const {
  return static_cast<std::int64_t>(named.size()) + unnamed + dependents + k_fixed;
}

LockEstimate estimate_locks(const std::vector<const Migration*>& plan, bool down) {
  LockEstimate estimate;
  for (const Migration* migration : plan) {
    const Script* script = down ? (migration->down ? &*migration->down : nullptr) : &migration->up;
    if (!script) continue;
    if (script->no_transaction || script->dry_run_refusal)
      estimate.no_transaction.push_back(migration->version);
    try {
      for (const auto& statement : sql::parse_statements(script->sql))
        count_statement(statement, estimate);
    } catch (const Error&) {
      // Discovery refuses SQL that does not parse before anything runs.
    }
  }
  return estimate;
}

std::int64_t LockSpace::capacity() const {
  return max_locks_per_transaction * (max_connections + max_prepared_transactions);
}

std::int64_t LockSpace::available() const {
  return std::max<std::int64_t>(0, capacity() - held_by_others);
}

DryRunChoice choose_dry_run_mode(DryRunMode requested, const LockEstimate& estimate,
                                 std::int64_t locks, const LockSpace& space) {
  const std::string figures =
      fmt::format("the plan needs about {} locks in one transaction; the server's lock table has "
                  "room for about {}",
                  thousands(locks), room(space));
  if (requested == DryRunMode::transaction)
    return {DryRunMode::transaction, "requested with --dry-run=transaction; " + figures};
  if (requested == DryRunMode::copy)
    return {DryRunMode::copy, "requested with --dry-run=copy; " + figures};
  if (!estimate.no_transaction.empty()) {
    const auto& versions = estimate.no_transaction;
    std::string list;
    for (std::size_t i = 0; i < versions.size() && i < 5; ++i)
      list += (i ? ", " : "") + std::to_string(versions[i]);
    if (versions.size() > 5) list += fmt::format(" and {} more", versions.size() - 5);
    return {DryRunMode::copy,
            fmt::format("migration{} {} run{} without a transaction (-- no-transaction), which a "
                        "rolled-back transaction cannot try; {}",
                        versions.size() == 1 ? "" : "s", list, versions.size() == 1 ? "s" : "",
                        figures)};
  }
  if (locks > space.available()) return {DryRunMode::copy, figures + ": it may not fit"};
  return {DryRunMode::transaction, figures + ": it fits"};
}

} // namespace preflight::migrate
