#pragma once
// A migration history table as the migrator writes it: sqlx's _sqlx_migrations (HistoryStore) or
// another tool's own table (NativeHistoryStore), each written exactly as its tool writes it.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/migrate/history.h"
#include "core/migrate/native_history.h"
#include "core/migrate/repair.h"
#include "core/migrate/repeatable.h"
#include "io/pg/pg_session.h"

namespace preflight::migrate {

class HistoryTable {
public:
  virtual ~HistoryTable() = default;

  /// Which table this is.
  virtual HistoryKind kind() const = 0;
  /// Fixes the table's schema for the session (before anything runs; see HistoryStore).
  virtual void pin_schema() = 0;
  /// Throws Error(input) if the table neither exists nor can be created.
  virtual void check_can_create() const = 0;
  /// True if the table exists.
  virtual bool exists() = 0;
  /// Creates the table as its tool does, if it does not exist.
  virtual void ensure() = 0;
  /// The applied migrations the table records, ascending by version, matched with `files`.
  virtual std::vector<AppliedMigration> list(const MigrationSet& files) = 0;
  /// The latest run of each repeatable migration (Flyway's table only keeps them).
  virtual std::vector<RepeatableRun> repeatable_runs() { return {}; }
  /// SQL that records `migration` as applied, run in its transaction just before COMMIT.
  virtual std::string applied_sql(const Migration& migration, const MigrationSet& files,
                                  std::int64_t execution_time_ns) = 0;
  /// SQL that records `migration` as reverted, run in its transaction just before COMMIT.
  virtual std::string reverted_sql(const Migration& migration, const MigrationSet& files,
                                   std::int64_t execution_time_ns) = 0;
  /// Before a migration that runs without a transaction: what a crash half-way leaves visible.
  virtual void before_untransacted(const Migration& migration, const MigrationSet& files,
                                   bool up) = 0;
  /// After it: the outcome, as the tool records it.
  virtual void after_untransacted(const Migration& migration, const MigrationSet& files, bool up,
                                  bool success, std::int64_t execution_time_ns) = 0;
  /// Applies one repair (inside the caller's transaction).
  virtual void repair(const RepairAction& action, const MigrationSet& files) = 0;
  /// The advisory-lock key the table's tool takes, if it takes one (after pin_schema()).
  virtual std::optional<std::int64_t> tool_lock_key() = 0;
  /// The table, quoted (schema-qualified once pinned).
  virtual const std::string& quoted_table() const = 0;
};

/// What `migrate up` runs against `store`: plan_up(), then Flyway's repeatable migrations that
/// are pending or changed (plan_repeatables; they follow the versioned ones, also up to a target).
std::vector<const Migration*> plan_up_against(HistoryTable& store, const MigrationSet& files,
                                              const UpOptions& options);

/// Which history a command uses: `mode` is preflight.toml's `history` ("sqlx", "native", or
/// empty for the default), `layout` the migrations folder's layout.
struct HistorySetting {
  std::string sqlx_table = "_sqlx_migrations";
  std::string mode;
  Layout layout = Layout::sqlx;
};

/// The history kind `setting` chooses on `session`'s database: sqlx for the sqlx layout or
/// `history = "sqlx"`; the layout's tool's table for `history = "native"`; by default the tool's
/// table, unless the database has sqlx's table (adopted, or migrated with history = "sqlx").
HistoryKind resolve_history_kind(pg::PgSession& session, const HistorySetting& setting);

/// The history table `setting` chooses (see resolve_history_kind).
std::unique_ptr<HistoryTable> open_history_table(pg::PgSession& session,
                                                 const HistorySetting& setting);

} // namespace preflight::migrate
