#pragma once
// The history table, identical to sqlx's _sqlx_migrations, so that either tool can take over a
// database the other migrated.

#include <optional>
#include <string>
#include <vector>

#include "core/migrate/history.h"
#include "io/migrate/history_table.h"
#include "io/pg/pg_session.h"

namespace preflight::migrate {

class HistoryStore : public HistoryTable {
public:
  /// `table` may be schema-qualified ("ops.migrations"); each part is always quoted.
  HistoryStore(pg::PgSession& session, const std::string& table);

  /// Fixes the table's schema for the rest of the session, so that migrations may change
  /// search_path: an unqualified name is looked up through search_path (as sqlx does), else it
  /// goes to current_schema(), where CREATE TABLE would put it. Call before running anything.
  void pin_schema() override;
  /// Throws Error(input) if the table neither exists nor can be created: its schema does not
  /// exist (or search_path names no existing schema). Checks nothing before pin_schema().
  void check_can_create() const override;
  /// True if the table exists (resolved through search_path when unqualified, as sqlx does).
  bool exists() override;
  /// Creates the table if needed, with sqlx's exact definition; throws like check_can_create().
  void ensure() override;
  /// All rows ascending by version; empty when the table does not exist.
  std::vector<AppliedMigration> list();
  /// list() (sqlx's rows name their versions themselves), for `files` it can key (not a dotted
  /// Flyway folder: refuse_unkeyable_in_sqlx_history).
  std::vector<AppliedMigration> list(const MigrationSet& files) override;
  /// Inserts a row; execution_time -1 means "not finished yet" (sqlx's marker until finish()).
  void insert(const Migration& migration, bool success, std::int64_t execution_time_ns = -1);
  /// The INSERT statement of insert() with its values inlined as literals, so that a caller can
  /// send it together with COMMIT in one round trip.
  std::string insert_statement(const Migration& migration, bool success,
                               std::int64_t execution_time_ns);
  /// Records the execution time in nanoseconds and the success flag.
  void finish(std::int64_t version, bool success, std::int64_t execution_time_ns);
  /// Deletes the row of `version` (a reverted migration, or a failed row being repaired).
  void remove(std::int64_t version);
  /// Records `checksum` for `version` (repair of an intentionally edited file).
  void update_checksum(std::int64_t version, const Checksum& checksum);
  const std::string& quoted_table() const override { return m_table; }

  HistoryKind kind() const override { return HistoryKind::sqlx; }
  std::string applied_sql(const Migration& migration, const MigrationSet& files,
                          std::int64_t execution_time_ns) override;
  std::string reverted_sql(const Migration& migration, const MigrationSet& files,
                           std::int64_t execution_time_ns) override;
  void before_untransacted(const Migration& migration, const MigrationSet& files, bool up) override;
  void after_untransacted(const Migration& migration, const MigrationSet& files, bool up,
                          bool success, std::int64_t execution_time_ns) override;
  void repair(const RepairAction& action, const MigrationSet& files) override;
  /// sqlx's own key is the one preflight always takes: nothing more.
  std::optional<std::int64_t> tool_lock_key() override { return std::nullopt; }

private:
  pg::PgSession& m_session;
  std::string m_name;                   // as configured
  std::string m_table;                  // quoted, possibly schema-qualified (always, once pinned)
  std::string m_table_only;             // the table's own name, unquoted
  std::optional<Error> m_cannot_create; // found by pin_schema()
};

} // namespace preflight::migrate
