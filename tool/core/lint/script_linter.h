#pragma once
// Internal to the linter (core/lint/linter.cpp and alter_table_rules.cpp): the per-script rule
// walker, its view of the parse tree, and what an up script creates for its down script.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/lint/lint_config.h"
#include "core/lint/rules.h"
#include "core/lint/schema_model.h"
#include "core/migrate/lock_modes.h"
#include "core/migrate/migration_set.h"
#include "core/migrate/transaction_control.h"
#include "core/sql/parsed_sql.h"
#include "core/sql/statement_text.h"
#include "core/sql/text_position.h"

namespace preflight::lint::detail {

using json = nlohmann::json;
using migrate::LockMode;

/// `text` in ASCII lower case.
std::string lower(std::string text);
/// The text of a {"String": {"sval": …}} node ("" for anything else).
std::string sval(const json& node);
/// A table or index name without "public." so that `t` and `public.t` are one object.
std::string qualified(const std::vector<std::string>& names);
/// The schema part of a qualified() name with its dot ("s." for "s.t"), or "".
std::string schema_prefix(const std::string& name);
/// The name of a RangeVar node.
std::string relation_key(const json& range_var);
/// The names of a {"List": …} node of Strings.
std::vector<std::string> name_list(const json& object);
/// The first volatile function an expression calls, e.g. "random()", or "".
std::string volatile_call(const json& node);
/// The column of a `CHECK (col IS NOT NULL)` expression, or "".
std::string not_null_check_column(const json& expr);
/// The name PostgreSQL gives a CHECK on `column` of `table`: `name` when given, else t_col_check.
std::string check_constraint_name(const std::string& table, const std::string& name,
                                  const std::string& column);
/// True for a NULL constant, also cast (`NULL`, `NULL::int`).
bool is_null_constant(const json& expr);
/// The value of a boolean option such as VACUUM's (FULL false): no argument means true.
bool option_enabled(const json& def_elem);
/// True for serial, bigserial and their aliases (a nextval() default).
bool is_serial_type(const std::string& name);

struct Lock {
  std::string table; // "" when lint does not know the table of `index`
  LockMode mode;
  std::string index = {}; // set for a lock taken through an index (DROP INDEX, REINDEX INDEX)
};

// An object an up migration creates, which its down migration should drop.
struct Created {
  std::string kind; // "index", "table", "constraint"
  std::string name;
  std::string table;
  std::size_t offset = 0;
  std::set<std::string> ignored;
};

struct UpEffects {
  std::vector<Created> created;
  std::set<std::string> tables;  // created by the up script
  std::set<std::string> columns; // "table.column" added by the up script
};

struct DownEffects {
  std::set<std::string> tables, indexes, constraints; // constraints as "table.name"
};

// Collects findings, applying suppression comments and the configured levels.
class FindingSink {
public:
  explicit FindingSink(const LintConfig& config) : m_config(config) {}

  void emit(const migrate::Script& script, const std::string& rule_id, std::size_t offset,
            const std::set<std::string>& ignored, std::string message, std::string hint) {
    const Rule* rule = find_rule(rule_id);
    if (!rule)
      throw Error(ErrorKind::internal, "lint rule `" + rule_id + "` is not in the catalogue");
    const Level level = effective_level(*rule, m_config);
    if (level == Level::off || ignored.count(rule_id)) return;
    auto at = sql::line_column_at(script.sql, offset);
    m_findings.push_back(
        {rule_id, level, script.path, at.line, at.column, std::move(message), std::move(hint)});
  }

  std::vector<Finding> take() { return std::move(m_findings); }

private:
  const LintConfig& m_config;
  std::vector<Finding> m_findings;
};

// Walks one script's statements in order, applying every rule; an up script records what it
// creates (up_effects), a down script what it drops (down_effects).
class ScriptLinter {
public:
  /// `up` is the paired up script's effects when this is a down script, else null.
  ScriptLinter(const migrate::Script& script, SchemaModel& model, FindingSink& sink,
               const LintConfig& config, const UpEffects* up)
      : m_script(script), m_model(model), m_sink(sink), m_config(config), m_up(up),
        m_transactions(script.sql, script.no_transaction) {}

  /// Lints the script into the sink; throws Error(input) at file:line:col when it does not parse.
  void run();
  UpEffects up_effects;
  DownEffects down_effects;

private:
  bool is_down() const { return m_up != nullptr; }
  bool in_transaction() const {
    return !m_script.no_transaction || m_transactions.open_begin().has_value();
  }
  bool existing(const std::string& table) const { return !m_new_tables.count(table); }
  bool created_by_up(const std::string& table) const { return m_up && m_up->tables.count(table); }
  std::set<std::string> ignored() const;
  void emit(const std::string& rule, std::size_t offset, std::string message, std::string hint) {
    m_sink.emit(m_script, rule, offset, ignored(), std::move(message), std::move(hint));
  }
  void emit(const std::string& rule, std::string message, std::string hint) {
    emit(rule, m_start, std::move(message), std::move(hint));
  }

  // Keys identify objects (`t` and `public.t` are one table); messages show names as written.
  /// The key of a RangeVar, remembering how it was written.
  std::string relation(const json& range_var);
  /// The key of a qualified name list (DROP …), remembering how it was written.
  std::string object_name(const std::vector<std::string>& names);
  /// `key` as the script last wrote it.
  std::string shown(const std::string& key) const;
  std::string shown_list(const std::vector<std::string>& keys) const;

  /// Reads the file-level directives into m_file_ignores; returns each statement's own ones.
  std::vector<std::set<std::string>> read_directives(const std::vector<sql::Statement>& statements);
  std::set<std::string> parse_directive(const sql::LineComment& comment, bool& file_level) const;
  void lint_statement(const std::string& type, const json& node, std::vector<Lock>& locks);
  void check_concurrently(const std::string& what);
  void check_outside_transaction(const std::string& rule, const std::string& what);
  std::string transaction_block_refused(const std::string& type, const json& n) const;
  void new_table(const std::string& table, std::map<std::string, ColumnType> columns = {});
  void note_locks(const std::vector<Lock>& locks);
  void index_stmt(const json& n, std::vector<Lock>& locks);
  void drop_stmt(const json& n, std::vector<Lock>& locks);
  void reindex_stmt(const json& n, std::vector<Lock>& locks);
  void alter_table_stmt(const json& n, std::vector<Lock>& locks);
  void add_column(const std::string& table, const json& def, std::vector<Lock>& locks);
  void alter_column_type(const std::string& table, const std::string& column, const json& def);
  void add_constraint(const std::string& table, const json& c, std::vector<Lock>& locks);
  void rename_stmt(const json& n, std::vector<Lock>& locks);
  void create_stmt(const json& n, std::vector<Lock>& locks);
  void transaction_stmt(const sql::Statement& statement);
  void variable_set_stmt(const json& n);
  void set_config_calls(const json& node);
  void set_lock_timeout(bool limits_wait, bool local);
  bool lock_timeout_in_effect() const { return m_block_lock_timeout.value_or(m_lock_timeout_set); }
  void created(std::string kind, std::string name, std::string table) {
    if (!is_down() && !name.empty())
      up_effects.created.push_back(
          {std::move(kind), std::move(name), std::move(table), m_start, ignored()});
  }
  void forget_created(const std::string& kind, const std::string& name, const std::string& table) {
    std::erase_if(up_effects.created, [&](const Created& c) {
      return c.kind == kind && c.name == name && (table.empty() || c.table == table);
    });
  }

  const migrate::Script& m_script;
  SchemaModel& m_model;
  FindingSink& m_sink;
  const LintConfig& m_config;
  const UpEffects* m_up; // the paired up script's effects when this is a down script

  std::size_t m_start = 0; // first token of the current statement
  std::set<std::string> m_statement_ignores;
  std::set<std::string> m_file_ignores;
  std::set<std::string> m_new_tables; // created earlier in this script
  std::set<std::string> m_new_indexes;
  std::map<std::string, std::string> m_spelled; // key → as last written in this script
  bool m_lock_timeout_set = false;              // by SET (or SET LOCAL in a transactional file)
  // SET LOCAL inside a -- no-transaction file's BEGIN block: in effect until COMMIT/ROLLBACK
  std::optional<bool> m_block_lock_timeout;
  std::optional<std::size_t> m_lock_timeout_off_at; // the last statement that turned it off
  bool m_lock_timeout_reported = false;
  migrate::TransactionTracker m_transactions;
  std::set<std::string> m_begin_ignores; // those of the open BEGIN, for unterminated-transaction
};

} // namespace preflight::lint::detail
