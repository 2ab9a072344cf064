// The rules about the migration's transaction and session: statements PostgreSQL refuses
// inside a transaction block, BEGIN / COMMIT, and whether a lock timeout is in effect.

#include <fmt/format.h>

#include "core/lint/lock_timeout.h"
#include "core/lint/script_linter.h"

namespace preflight::lint::detail {

namespace {

// The constant text of an A_Const node as PostgreSQL would read it as a setting's value;
// nullopt for anything that is not a constant.
std::optional<std::string> constant_text(const json& node) {
  if (!node.contains("A_Const")) return std::nullopt;
  const json& c = node["A_Const"];
  // libpg_query omits zero-valued fields: {"ival": {}} is 0.
  if (c.contains("ival")) return std::to_string(c["ival"].value("ival", std::int64_t{0}));
  if (c.contains("fval")) return c["fval"].value("fval", std::string("0"));
  if (c.contains("sval")) return c["sval"].value("sval", std::string{});
  return std::nullopt;
}

} // namespace

void ScriptLinter::check_concurrently(const std::string& what) {
  check_outside_transaction("concurrently-in-transaction", what);
}

void ScriptLinter::check_outside_transaction(const std::string& rule, const std::string& what) {
  if (!in_transaction()) return;
  if (m_script.no_transaction) {
    auto begin = sql::line_column_at(m_script.sql, *m_transactions.open_begin());
    emit(rule,
         fmt::format("{} cannot run inside a transaction block; this one follows the BEGIN at line "
                     "{}, so it fails at run time",
                     what, begin.line),
         "run it outside the BEGIN … COMMIT block");
  } else {
    emit(rule,
         fmt::format("{} cannot run inside a transaction block; this migration runs in one, so it "
                     "fails at run time",
                     what),
         "move it to its own migration whose file starts with -- no-transaction");
  }
}

// Statements PostgreSQL refuses inside a transaction block (PreventInTransactionBlock callers
// in PostgreSQL 15), other than the CONCURRENTLY forms; "" for any other statement.
std::string ScriptLinter::transaction_block_refused(const std::string& type, const json& n) const {
  if (type == "VacuumStmt" && n.value("is_vacuumcmd", false)) return "VACUUM";
  if (type == "CreatedbStmt") return "CREATE DATABASE";
  if (type == "DropdbStmt") return "DROP DATABASE";
  if (type == "CreateTableSpaceStmt") return "CREATE TABLESPACE";
  if (type == "DropTableSpaceStmt") return "DROP TABLESPACE";
  if (type == "AlterSystemStmt") return "ALTER SYSTEM";
  if (type == "DiscardStmt" && n.value("target", "") == "DISCARD_ALL") return "DISCARD ALL";
  if (type == "ClusterStmt" && !n.contains("relation")) return "CLUSTER without a table name";
  if (type == "AlterDatabaseStmt") {
    for (const auto& o : n.value("options", json::array()))
      if (o["DefElem"].value("defname", "") == "tablespace") return "ALTER DATABASE SET TABLESPACE";
  }
  if (type == "ReindexStmt") {
    const std::string kind = n.value("kind", "");
    if (kind == "REINDEX_OBJECT_SCHEMA") return "REINDEX SCHEMA";
    if (kind == "REINDEX_OBJECT_SYSTEM") return "REINDEX SYSTEM";
    if (kind == "REINDEX_OBJECT_DATABASE") return "REINDEX DATABASE";
  }
  if (type == "CreateSubscriptionStmt") {
    // create_slot defaults to true, and connect = false implies create_slot = false.
    bool create_slot = true;
    for (const auto& o : n.value("options", json::array())) {
      const std::string name = o["DefElem"].value("defname", "");
      if ((name == "create_slot" || name == "connect") && !option_enabled(o["DefElem"]))
        create_slot = false;
    }
    if (create_slot) return "CREATE SUBSCRIPTION (which creates a replication slot)";
  }
  return {};
}

void ScriptLinter::variable_set_stmt(const json& n) {
  const std::string kind = n.value("kind", "");
  if (kind == "VAR_RESET_ALL") {
    set_lock_timeout(false, false);
    return;
  }
  if (n.value("name", "") != "lock_timeout") return;
  bool limits = false; // DEFAULT, RESET and FROM CURRENT: the server's default, normally 0
  if (kind == "VAR_SET_VALUE" && n.contains("args") && n["args"].size() == 1) {
    auto value = constant_text(n["args"][0]);
    limits = value && lock_timeout_limits_wait(*value);
  }
  set_lock_timeout(limits, n.value("is_local", false));
}

// SELECT set_config('lock_timeout', '5s', is_local) sets it like SET [LOCAL] does.
void ScriptLinter::set_config_calls(const json& node) {
  if (node.is_array()) {
    for (const auto& child : node) set_config_calls(child);
    return;
  }
  if (!node.is_object()) return;
  if (node.contains("FuncCall") && node["FuncCall"].contains("funcname") &&
      sval(node["FuncCall"]["funcname"].back()) == "set_config") {
    const json args = node["FuncCall"].value("args", json::array());
    if (args.size() == 3) {
      // GUC names are case-insensitive.
      if (lower(constant_text(args[0]).value_or("")) == "lock_timeout") {
        auto value = constant_text(args[1]);
        const bool local = args[2].contains("A_Const") && args[2]["A_Const"].contains("boolval") &&
                           args[2]["A_Const"]["boolval"].value("boolval", false);
        set_lock_timeout(value && lock_timeout_limits_wait(*value), local);
      }
    }
  }
  for (const auto& [key, child] : node.items()) set_config_calls(child);
}

void ScriptLinter::set_lock_timeout(bool limits_wait, bool local) {
  if (limits_wait) {
    m_lock_timeout_off_at.reset();
  } else {
    m_lock_timeout_off_at = m_start;
  }
  if (!m_script.no_transaction || !local) {
    // A transactional file is one transaction: SET LOCAL lasts to its end like SET does.
    m_lock_timeout_set = limits_wait;
    m_block_lock_timeout.reset();
  } else if (m_transactions.open_begin()) {
    m_block_lock_timeout = limits_wait;
  }
  // SET LOCAL outside a transaction block has no effect (PostgreSQL only warns).
}

void ScriptLinter::note_locks(const std::vector<Lock>& locks) {
  if (m_config.lock_timeout_configured || lock_timeout_in_effect() || m_lock_timeout_reported)
    return;
  for (const auto& lock : locks) {
    if (!migrate::is_dangerous(lock.mode)) continue;
    m_lock_timeout_reported = true;
    const std::string on = lock.table.empty() ? "the table of index " + lock.index
                                              : "existing table " + shown(lock.table);
    // Saying "without SET lock_timeout" to a file that has one would send readers looking for
    // the wrong problem: name the statement that turned it off.
    const std::string without =
        m_lock_timeout_off_at
            ? fmt::format("with no lock timeout (line {} sets lock_timeout to 0 or the default)",
                          sql::line_column_at(m_script.sql, *m_lock_timeout_off_at).line)
            : std::string("without SET lock_timeout");
    emit("missing-lock-timeout",
         fmt::format("{} on {} is taken {}: while it waits behind a long query, every other query "
                     "on {} queues behind it",
                     migrate::lock_mode_name(lock.mode), on, without,
                     lock.table.empty() ? std::string("that table") : shown(lock.table)),
         "start the file with SET lock_timeout = '5s' (or set lock_timeout in preflight.toml) and "
         "retry on "
         "timeout");
    return;
  }
}

// The rules themselves are shared with migration discovery, which refuses what they find.
void ScriptLinter::transaction_stmt(const sql::Statement& statement) {
  const bool was_open = m_transactions.open_begin().has_value();
  if (auto problem = m_transactions.next(statement)) {
    emit(problem->rule, problem->offset, std::move(problem->message), std::move(problem->hint));
  }
  const bool open = m_transactions.open_begin().has_value();
  if (!was_open && open) m_begin_ignores = ignored();
  if (was_open && !open) m_block_lock_timeout.reset(); // SET LOCAL ends with its block
}

} // namespace preflight::lint::detail
