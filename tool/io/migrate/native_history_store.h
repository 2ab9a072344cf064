#pragma once
// Another tool's own history table (golang-migrate, goose, dbmate, Flyway, diesel), read and
// written with the statements that tool's PostgreSQL driver sends, so that the tool and preflight
// can take turns on one database. Which statements, and the source they follow:
// core/migrate/native_history.cpp and docs/layouts/<tool>.md.

#include <optional>
#include <string>

#include "io/migrate/history_table.h"

namespace preflight::migrate {

class NativeHistoryStore : public HistoryTable {
public:
  /// The tool's table of `kind` under its default name, found through search_path (as the tools
  /// do) or created in current_schema().
  NativeHistoryStore(pg::PgSession& session, HistoryKind kind);

  HistoryKind kind() const override { return m_kind; }
  void pin_schema() override;
  void check_can_create() const override;
  bool exists() override;
  void ensure() override;
  std::vector<AppliedMigration> list(const MigrationSet& files) override;
  std::vector<RepeatableRun> repeatable_runs() override;
  std::string applied_sql(const Migration& migration, const MigrationSet& files,
                          std::int64_t execution_time_ns) override;
  std::string reverted_sql(const Migration& migration, const MigrationSet& files,
                           std::int64_t execution_time_ns) override;
  void before_untransacted(const Migration& migration, const MigrationSet& files, bool up) override;
  void after_untransacted(const Migration& migration, const MigrationSet& files, bool up,
                          bool success, std::int64_t execution_time_ns) override;
  void repair(const RepairAction& action, const MigrationSet& files) override;
  std::optional<std::int64_t> tool_lock_key() override;
  const std::string& quoted_table() const override { return m_table; }

private:
  // golang-migrate's SetVersion: the table holds one row, or none for "no version".
  std::string golang_migrate_set(std::optional<std::int64_t> version, bool dirty) const;
  // Flyway's rows in installed_rank order.
  std::vector<NativeRow> flyway_rows();
  // A Flyway row for `script` (SQL or UNDO_SQL), its installed_rank the next one.
  std::string flyway_row(const Migration& migration, const Script& script, const char* type,
                         bool success, std::int64_t execution_time_ns);

  pg::PgSession& m_session;
  HistoryKind m_kind;
  std::string m_name;   // the table's own name, unquoted
  std::string m_schema; // once pinned
  std::string m_table;  // quoted, schema-qualified once pinned
  std::optional<Error> m_cannot_create;
};

} // namespace preflight::migrate
