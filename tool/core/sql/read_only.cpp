#include "core/sql/read_only.h"

#include <array>
#include <string_view>

#include <fmt/format.h>

namespace preflight::sql {

namespace {

// Functions whose effect escapes a READ ONLY transaction (signals, configuration, session
// locks, other databases, large objects, replication, files) or that it does not block. Calls
// of user-defined functions cannot be classified: a check still runs them in a READ ONLY
// transaction, where PostgreSQL refuses any write they attempt.
constexpr std::array<std::string_view, 21> k_refused_prefixes{
    "pg_terminate_backend", "pg_cancel_backend", "pg_reload_conf", "pg_rotate_logfile",
    "pg_stat_reset", "pg_advisory", "pg_try_advisory", "set_config", "dblink", "lo_", "pg_file_",
    "pg_switch_wal", "pg_create_", "pg_drop_replication", "pg_replication_origin",
    "pg_logical_emit_message",
    // a checkpoint, a backup, WAL replay
    "pg_backup_", "pg_start_backup", "pg_stop_backup", "pg_wal_replay_",
    "pg_log_backend_memory_contexts"};
constexpr std::array<std::string_view, 7> k_refused_exact{
    "nextval",
    "setval",
    "pg_notify",
    "pg_promote",
    "pg_import_system_collations",
    "txid_current",
    "pg_current_xact_id"}; // these two assign a transaction id

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

std::optional<std::string_view> write_label(std::string_view node_type) {
  for (const auto& [type, label] : k_write_nodes) {
    if (node_type == type) return label;
  }
  return std::nullopt;
}

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

} // namespace

// Walks the whole tree: writable CTEs, SELECT INTO and row locks can sit in any subquery.
std::optional<std::string> write_in_tree(const nlohmann::json& node) {
  if (node.is_array()) {
    for (const auto& item : node) {
      if (auto why = write_in_tree(item)) return why;
    }
    return std::nullopt;
  }
  if (!node.is_object()) return std::nullopt;
  for (const auto& [key, value] : node.items()) {
    if (auto label = write_label(key))
      return fmt::format("it contains {} (a data-modifying statement)", *label);
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
    if (auto why = write_in_tree(value)) return why;
  }
  return std::nullopt;
}

bool is_data_modifying(const std::string& node_type) {
  return write_label(node_type).has_value();
}

std::string statement_kind(const std::string& node_type) {
  if (auto label = write_label(node_type)) return std::string(*label);
  return node_type.size() > 4 && node_type.compare(node_type.size() - 4, 4, "Stmt") == 0
             ? node_type.substr(0, node_type.size() - 4)
             : node_type;
}

std::optional<std::string> not_read_only(const Statement& statement) {
  const auto type = node_type(statement);
  if (type == "SelectStmt") return write_in_tree(statement.tree);
  if (is_data_modifying(type)) return fmt::format("{} writes", statement_kind(type));
  return fmt::format("{} is not a query", statement_kind(type));
}

} // namespace preflight::sql
