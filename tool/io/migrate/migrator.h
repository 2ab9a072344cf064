#pragma once
// Applies and reverts migrations against one database: advisory lock, history rows in the
// migration's own transaction, dry runs in a rolled-back transaction, PostgreSQL errors mapped
// back to file:line:column.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/migrate/history.h"
#include "core/migrate/repair.h"
#include "core/sql/parsed_sql.h"
#include "io/migrate/blocker_watcher.h"
#include "io/migrate/history_store.h"
#include "io/migrate/history_table.h"
#include "io/migrate/migration_lock.h"
#include "io/pg/pg_session.h"

namespace preflight::migrate {

enum class Direction { up, down };

struct MigratorOptions {
  std::string history_table = "_sqlx_migrations";
  /// preflight.toml's `history` ("sqlx", "native", empty: the default) and the folder's layout:
  /// which table records the history (see resolve_history_kind).
  std::string history_mode;
  Layout layout = Layout::sqlx;
  std::chrono::milliseconds lock_wait{60'000};
  std::string lock_timeout;      // e.g. "5s"; empty keeps the server's setting
  std::string statement_timeout; // likewise
  bool dry_run = false;
  /// Runs for real on a throwaway copy of the target (a dry run in copy mode): steps that
  /// succeed report dry_run_copy_ok instead of applied / reverted.
  bool on_copy = false;
};

enum class StepOutcome {
  applied,
  reverted,
  dry_run_ok,      // ran in a transaction that was rolled back
  dry_run_copy_ok, // ran and committed on a throwaway copy of the database
  not_executed,    // dry run of a no-transaction migration: parsed, listed, not run
  failed,
};

/// Stable lower-case name of an outcome, as used in JSON output.
std::string to_string(StepOutcome outcome);

struct StepReport {
  std::int64_t version = 0;
  std::string version_text; // as the layout's tool writes it; empty when `version` in decimal
  bool repeatable = false;  // a Flyway repeatable migration (no version)
  std::string description;
  Direction direction = Direction::up;
  StepOutcome outcome = StepOutcome::applied;
  std::int64_t duration_ns = 0;
  std::optional<Error> error;     // set when outcome == failed
  std::vector<std::string> notes; // e.g. invalid indexes left behind
  bool rolled_back = true;        // false for a failed -- no-transaction migration: what ran stays
  // The connection was lost while it ran (server restart, pg_terminate_backend, network); with
  // rolled_back false and a transactional migration, whether its COMMIT landed is unknown.
  bool interrupted = false;
  bool transactional = true;

  /// The version as its tool shows it.
  std::string shown_version() const {
    if (repeatable) return "R";
    return migrate::shown_version(version, version_text);
  }
};

struct RunReport {
  std::vector<StepReport> steps;
  /// The failed step, or nullptr.
  const StepReport* failure() const;
};

/// Sees every migration statement as it runs, inside the migration's transaction (used by the
/// lock trace and by the benchmark harness's migration step).
class StatementObserver {
public:
  virtual ~StatementObserver() = default;
  /// Before the first statement of a migration (inside its transaction, if it has one).
  virtual void before_migration(const Migration& /*migration*/, Direction /*direction*/) {}
  /// After each statement that succeeded, with its wall-clock duration.
  virtual void after_statement(const Migration& /*migration*/, const sql::Statement& /*statement*/,
                               std::int64_t /*duration_ns*/) {}
  /// After the last statement succeeded, before commit or rollback.
  virtual void after_migration(const Migration& /*migration*/, Direction /*direction*/) {}
  /// After a statement failed, with the time until it failed; the migration ends there. Inside a
  /// transaction it is aborted: no query may run.
  virtual void statement_failed(const Migration& /*migration*/, const sql::Statement& /*statement*/,
                                std::int64_t /*duration_ns*/) {}
};

class Migrator {
public:
  using StepCallback = std::function<void(const StepReport&)>;
  using WaitCallback = std::function<void(const std::string& holder)>;

  Migrator(pg::PgSession& session, MigratorOptions options);

  /// Recorded history (empty if the table does not exist yet); a native table's rows are matched
  /// with `files`.
  std::vector<AppliedMigration> history(const MigrationSet& files = MigrationSet{});
  /// Applies what plan_up() selects, stopping at the first failure (which is rolled back).
  RunReport up(const MigrationSet& files, const UpOptions& options);
  /// Reverts what plan_down() selects, newest first, stopping at the first failure.
  RunReport down(const MigrationSet& files, const DownOptions& options);
  /// Records what plan_baseline() selects as applied (success, real checksums, execution time
  /// 0) without running it, in one transaction; in a dry run only returns it.
  std::vector<const Migration*> baseline(const MigrationSet& files, std::int64_t version);
  /// Applies what plan_repair() selects to the history in one transaction; in a dry run only
  /// returns it.
  std::vector<RepairAction> repair(const MigrationSet& files);

  void on_step(StepCallback callback) { m_on_step = std::move(callback); }
  void on_lock_wait(WaitCallback callback) { m_on_wait = std::move(callback); }
  /// Registers an observer (not owned; null to remove).
  void observe(StatementObserver* observer) { m_observer = observer; }
  HistoryTable& store() { return *m_store; }
  pg::PgSession& session() { return m_session; }

private:
  // The history table's own tool's advisory lock, taken after preflight's (none for sqlx).
  std::unique_ptr<MigrationLock> tool_lock();
  StepReport run(const Migration& migration, Direction direction);
  StepReport run_in_transaction(const Migration& migration, Direction direction,
                                const Script& script);
  StepReport run_without_transaction(const Migration& migration, Direction direction,
                                     const Script& script);
  std::optional<Error> run_statements(const Script& script, const Migration& migration);
  RunReport run_plan(const std::vector<const Migration*>& plan, Direction direction);
  StepReport interrupted_step(const Migration& migration, Direction direction,
                              const Error& lost) const;

  // How far the migration being run got: decides what a lost connection left behind.
  enum class Progress { statements, commit_sent };

  pg::PgSession& m_session;
  MigratorOptions m_options;
  std::unique_ptr<HistoryTable> m_store;
  const MigrationSet* m_files = nullptr; // the set being run (native tables key on its versions)
  StepCallback m_on_step;
  WaitCallback m_on_wait;
  StatementObserver* m_observer = nullptr;
  Progress m_progress = Progress::statements;
  std::unique_ptr<BlockerWatcher> m_watcher; // only while a run has lock_timeout set
};

} // namespace preflight::migrate
