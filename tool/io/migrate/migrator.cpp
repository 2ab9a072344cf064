#include "io/migrate/migrator.h"

#include <fmt/format.h>

#include "core/migrate/baseline.h"
#include "core/sql/parsed_sql.h"
#include "core/sql/text_position.h"
#include "io/migrate/migration_lock.h"
#include "io/migrate/native_history_store.h"

namespace preflight::migrate {

std::string to_string(StepOutcome outcome) {
  switch (outcome) {
  case StepOutcome::applied: return "applied";
  case StepOutcome::reverted: return "reverted";
  case StepOutcome::dry_run_ok: return "dry_run_ok";
  case StepOutcome::dry_run_copy_ok: return "dry_run_copy_ok";
  case StepOutcome::not_executed: return "not_executed";
  case StepOutcome::failed: return "failed";
  }
  return "unknown";
}

const StepReport* RunReport::failure() const {
  for (const auto& s : steps) {
    if (s.outcome == StepOutcome::failed) return &s;
  }
  return nullptr;
}

namespace {

using Clock = std::chrono::steady_clock;

StepReport step_of(const Migration& migration, Direction direction, StepOutcome outcome) {
  StepReport step;
  step.version = migration.version;
  step.version_text = migration.version_text;
  step.repeatable = migration.repeatable;
  step.description = migration.description;
  step.direction = direction;
  step.outcome = outcome;
  return step;
}

std::int64_t elapsed_ns(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
}

// The server's error position counts characters in the statement sent; users want it in the file.
Error statement_error(const Migration& migration, const Script& script,
                      const sql::Statement& statement, const pg::SqlFailure& failure) {
  std::size_t byte = statement.offset;
  if (failure.position > 0) {
    byte += sql::byte_offset_of_char(statement.text, failure.position);
  }
  auto at = sql::line_column_at(script.sql, byte);
  std::string message = fmt::format("migration {} ({}) failed: {}", migration.shown_version(),
                                    migration.description, failure.describe());
  std::string hint = failure.hint;
  // active_sql_transaction: e.g. CREATE INDEX CONCURRENTLY in a migration run in a transaction.
  if (failure.sqlstate == "25001" && !script.no_transaction) {
    hint += std::string(hint.empty() ? "" : "\n") +
            "this statement cannot run inside a transaction block: put it in a migration of its "
            "own whose file starts with -- no-transaction";
  }
  return Error(ErrorKind::problem, message, hint, Location{script.path, at.line, at.column});
}

// Appends the sessions that held the lock to the hint of a lock-timeout error.
Error with_blockers(const Error& error, const std::vector<Blocker>& blockers) {
  std::string hint = error.hint();
  if (!hint.empty()) hint += "\n";
  if (blockers.empty()) {
    hint +=
        "the lock was released before its holder could be identified; retry, or look at pg_locks";
  } else {
    hint += "the lock is held by:\n" + describe(blockers);
  }
  return Error(error.kind(), error.message(), hint, error.location());
}

} // namespace

Migrator::Migrator(pg::PgSession& session, MigratorOptions options)
    : m_session(session), m_options(std::move(options)),
      m_store(open_history_table(
          session, {m_options.history_table, m_options.history_mode, m_options.layout})) {}

std::vector<AppliedMigration> Migrator::history(const MigrationSet& files) {
  m_store->pin_schema();
  return m_store->list(files);
}

std::unique_ptr<MigrationLock> Migrator::tool_lock() {
  // The tool's own lock too, so that it and preflight exclude each other; after pin_schema(),
  // since golang-migrate's and Flyway's keys name the table's schema.
  auto key = m_store->tool_lock_key();
  if (!key) return nullptr;
  return std::make_unique<MigrationLock>(m_session, *key, m_options.lock_wait, m_on_wait);
}

RunReport Migrator::up(const MigrationSet& files, const UpOptions& options) {
  MigrationLock lock(m_session, m_options.lock_wait, m_on_wait);
  m_store->pin_schema();
  auto own = tool_lock();
  m_files = &files;
  // A dry run creates nothing, not even the history table, but says when it could not.
  m_store->check_can_create();
  // Planned first: a plan refused (--to a version that is not a migration) changes nothing, not
  // even by creating the history table. The list is empty while the table does not exist.
  auto plan = plan_up_against(*m_store, files, options);
  if (!m_options.dry_run) m_store->ensure();
  return run_plan(plan, Direction::up);
}

RunReport Migrator::down(const MigrationSet& files, const DownOptions& options) {
  MigrationLock lock(m_session, m_options.lock_wait, m_on_wait);
  m_store->pin_schema();
  auto own = tool_lock();
  m_files = &files;
  auto plan = plan_down(files, m_store->list(files), options);
  return run_plan(plan, Direction::down);
}

std::vector<const Migration*> Migrator::baseline(const MigrationSet& files, std::int64_t version) {
  MigrationLock lock(m_session, m_options.lock_wait, m_on_wait);
  m_store->pin_schema();
  auto own = tool_lock();
  m_store->check_can_create();
  auto plan = plan_baseline(files, m_store->list(files), version);
  if (m_options.dry_run) return plan;
  m_session.exec("BEGIN");
  try {
    m_store->ensure();
    // Nothing ran, so there is no execution time to record; each row as the tool writes it.
    for (const Migration* migration : plan)
      m_session.exec(m_store->applied_sql(*migration, files, 0));
    m_session.exec("COMMIT");
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::connection) m_session.try_exec("ROLLBACK");
    throw;
  }
  return plan;
}

std::vector<RepairAction> Migrator::repair(const MigrationSet& files) {
  MigrationLock lock(m_session, m_options.lock_wait, m_on_wait);
  m_store->pin_schema();
  auto own = tool_lock();
  auto actions = plan_repair(compute_status(files, m_store->list(files)),
                             repeatable_status(files, m_store->repeatable_runs()));
  if (m_options.dry_run || actions.empty()) return actions;
  m_session.exec("BEGIN");
  try {
    for (const auto& action : actions) m_store->repair(action, files);
    m_session.exec("COMMIT");
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::connection) m_session.try_exec("ROLLBACK");
    throw;
  }
  return actions;
}

RunReport Migrator::run_plan(const std::vector<const Migration*>& plan, Direction direction) {
  RunReport report;
  // A script that commits itself (or runs what PostgreSQL refuses in a transaction block) cannot
  // be rolled back: the dry run stops before running anything rather than commit a part of it.
  if (m_options.dry_run) {
    for (const Migration* migration : plan) {
      const Script& script = direction == Direction::up ? migration->up : *migration->down;
      if (script.dry_run_refusal) throw *script.dry_run_refusal;
    }
  }
  // Naming the sessions that hold a lock needs a second connection polling while statements
  // wait; it is only worth it when a lock timeout can fire.
  struct WatcherScope {
    std::unique_ptr<BlockerWatcher>& watcher;
    ~WatcherScope() { watcher.reset(); }
  } watcher_scope{m_watcher};
  if (!m_options.lock_timeout.empty() && !plan.empty())
    m_watcher = std::make_unique<BlockerWatcher>(m_session);
  // A dry run keeps every migration's effects until the end, so that later migrations see what
  // earlier ones created, then rolls everything back at once.
  if (m_options.dry_run) m_session.exec("BEGIN");
  try {
    for (const Migration* migration : plan) {
      try {
        report.steps.push_back(run(*migration, direction));
      } catch (const Error& e) {
        // A lost connection is reported as what it did to this migration, not as a bad URL.
        if (e.kind() != ErrorKind::connection || m_options.dry_run) throw;
        const StepReport step = interrupted_step(*migration, direction, e);
        if (m_on_step) m_on_step(step);
        throw *step.error;
      }
      if (m_on_step) m_on_step(report.steps.back());
      if (report.steps.back().outcome == StepOutcome::failed) break;
    }
  } catch (const Error& e) {
    if (m_options.dry_run && e.kind() != ErrorKind::connection) m_session.try_exec("ROLLBACK");
    throw;
  }
  if (m_options.dry_run) m_session.exec("ROLLBACK");
  return report;
}

StepReport Migrator::interrupted_step(const Migration& migration, Direction direction,
                                      const Error& lost) const {
  const Script& script = direction == Direction::up ? migration.up : *migration.down;
  StepReport step = step_of(migration, direction, StepOutcome::failed);
  step.interrupted = true;
  step.transactional = !script.no_transaction;
  const char* done = direction == Direction::up ? "applied" : "reverted";
  std::string hint;
  if (!script.no_transaction && m_progress == Progress::statements) {
    // The server rolls back the open transaction of a backend that ends.
    hint = fmt::format("the server rolled back migration {}: it is not {} and its history is as "
                       "before; once the server is reachable, `preflight migrate status` shows "
                       "the state, and running the command again retries it",
                       migration.shown_version(), done);
  } else if (!script.no_transaction) {
    step.rolled_back = false;
    hint = fmt::format("the connection was lost after COMMIT was sent: whether migration {} was "
                       "{} is unknown; once the server is reachable, `preflight migrate status` "
                       "shows it, and running the command again continues from there",
                       migration.shown_version(), done);
  } else {
    step.rolled_back = false;
    hint = fmt::format(
        "migration {} runs without a transaction: the statements that ran before the connection "
        "was lost stay done, and its history row {}; once the server is reachable, check with "
        "`preflight migrate status`, finish or undo the migration by hand, then run `preflight "
        "migrate repair`",
        migration.shown_version(),
        direction == Direction::up ? "is left marked failed, which blocks further runs"
                                   : "still says applied");
  }
  step.error = Error(ErrorKind::connection,
                     fmt::format("migration {} ({}) was interrupted: {}", migration.shown_version(),
                                 migration.description, lost.message()),
                     hint, Location{script.path, 0, 0});
  return step;
}

StepReport Migrator::run(const Migration& migration, Direction direction) {
  m_progress = Progress::statements;
  const Script& script = direction == Direction::up ? migration.up : *migration.down;
  StepReport step = script.no_transaction ? run_without_transaction(migration, direction, script)
                                          : run_in_transaction(migration, direction, script);
  if (m_options.on_copy &&
      (step.outcome == StepOutcome::applied || step.outcome == StepOutcome::reverted))
    step.outcome = StepOutcome::dry_run_copy_ok;
  return step;
}

std::optional<Error> Migrator::run_statements(const Script& script, const Migration& migration) {
  const Direction direction = &script == &migration.up ? Direction::up : Direction::down;
  if (m_observer) m_observer->before_migration(migration, direction);
  if (m_watcher) m_watcher->reset();
  // Parse trees only when an observer may look at them (lock trace, benchmarks); splitting alone
  // is several times cheaper per migration.
  const auto statements =
      m_observer ? sql::parse_statements(script.sql) : sql::split_statements(script.sql);
  for (const auto& statement : statements) {
    const auto start = Clock::now();
    auto outcome = m_session.try_exec(statement.text);
    if (!outcome.ok()) {
      if (m_observer) m_observer->statement_failed(migration, statement, elapsed_ns(start));
      Error error = statement_error(migration, script, statement, *outcome.failure);
      if (outcome.failure->sqlstate == "55P03" && m_watcher)
        error = with_blockers(error, m_watcher->last_blockers());
      return error;
    }
    if (m_observer) m_observer->after_statement(migration, statement, elapsed_ns(start));
  }
  if (m_observer) m_observer->after_migration(migration, direction);
  return std::nullopt;
}

StepReport Migrator::run_in_transaction(const Migration& migration, Direction direction,
                                        const Script& script) {
  StepReport step = step_of(migration, direction, StepOutcome::applied);
  const auto start = Clock::now();
  // In a dry run each migration is a savepoint inside the run's one transaction.
  const bool nested = m_options.dry_run;
  const char* rollback = nested ? "ROLLBACK TO SAVEPOINT preflight_migration" : "ROLLBACK";
  m_session.exec(nested ? "SAVEPOINT preflight_migration" : "BEGIN");
  try {
    if (!m_options.lock_timeout.empty()) {
      m_session.exec("SET LOCAL lock_timeout = " + m_session.quote_literal(m_options.lock_timeout));
    }
    if (!m_options.statement_timeout.empty()) {
      m_session.exec("SET LOCAL statement_timeout = " +
                     m_session.quote_literal(m_options.statement_timeout));
    }
    if (auto error = run_statements(script, migration)) {
      m_session.exec(rollback);
      step.outcome = StepOutcome::failed;
      step.error = std::move(error);
      step.duration_ns = elapsed_ns(start);
      return step;
    }
    if (m_options.dry_run) {
      m_session.exec("RELEASE SAVEPOINT preflight_migration");
      step.outcome = StepOutcome::dry_run_ok;
      step.duration_ns = elapsed_ns(start);
      return step;
    }
    // The history row commits with the migration or not at all. It carries the execution time
    // measured so far, which saves sqlx's separate UPDATE after the commit (a round trip and a
    // commit per migration) and never leaves a row with sqlx's "unfinished" marker -1.
    // The row and COMMIT go in one message: one round trip fewer per migration, and if the INSERT
    // fails the server skips the COMMIT and the transaction is rolled back below.
    if (direction == Direction::up) {
      const auto record = m_store->applied_sql(migration, *m_files, elapsed_ns(start));
      m_progress = Progress::commit_sent;
      m_session.exec(record + "; COMMIT");
    } else {
      const auto record = m_store->reverted_sql(migration, *m_files, elapsed_ns(start));
      m_progress = Progress::commit_sent;
      m_session.exec(record + "; COMMIT");
    }
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::connection) m_session.try_exec(rollback);
    throw;
  }
  step.duration_ns = elapsed_ns(start);
  if (direction == Direction::down) step.outcome = StepOutcome::reverted;
  return step;
}

StepReport Migrator::run_without_transaction(const Migration& migration, Direction direction,
                                             const Script& script) {
  StepReport step = step_of(migration, direction, StepOutcome::applied);
  if (m_options.dry_run) {
    step.outcome = StepOutcome::not_executed;
    step.notes.push_back("-- no-transaction: cannot run in a rolled-back transaction; parsed only");
    return step;
  }
  // sqlx's table records it as failed before it starts, golang-migrate's marks it dirty, so that
  // a crash half-way leaves a visible state that blocks further runs until `migrate repair`.
  m_store->before_untransacted(migration, *m_files, direction == Direction::up);
  if (!m_options.lock_timeout.empty()) {
    m_session.exec("SET lock_timeout = " + m_session.quote_literal(m_options.lock_timeout));
  }
  if (!m_options.statement_timeout.empty()) {
    m_session.exec("SET statement_timeout = " +
                   m_session.quote_literal(m_options.statement_timeout));
  }
  const auto start = Clock::now();
  auto error = run_statements(script, migration);
  step.duration_ns = elapsed_ns(start);
  // Discovery refuses a BEGIN left open, but should one slip through, the open block would
  // swallow the history row below and everything later in the session: end it here.
  if (m_session.in_transaction()) {
    m_session.exec("ROLLBACK");
    if (!error) {
      error = Error(ErrorKind::problem,
                    fmt::format("migration {} ({}) left a transaction open (BEGIN without "
                                "COMMIT): preflight rolled back what ran after that BEGIN",
                                migration.shown_version(), migration.description),
                    "end the BEGIN … COMMIT block with COMMIT", Location{script.path, 0, 0});
    }
  }
  m_session.exec("RESET lock_timeout; RESET statement_timeout");
  if (error) {
    step.outcome = StepOutcome::failed;
    step.error = std::move(error);
    step.rolled_back = false;
    m_store->after_untransacted(migration, *m_files, direction == Direction::up, false,
                                step.duration_ns);
    // A failed CREATE INDEX CONCURRENTLY leaves an INVALID index that must be dropped by hand.
    auto invalid = m_session.exec("SELECT indexrelid::regclass::text, indrelid::regclass::text "
                                  "FROM pg_index WHERE NOT indisvalid "
                                  "ORDER BY 1");
    for (int i = 0; i < invalid.rows(); ++i) {
      step.notes.push_back(fmt::format("index {} on {} is INVALID (left by a failed CREATE INDEX "
                                       "CONCURRENTLY): DROP INDEX CONCURRENTLY {}; before retrying",
                                       invalid.get(i, 0), invalid.get(i, 1), invalid.get(i, 0)));
    }
    return step;
  }
  m_store->after_untransacted(migration, *m_files, direction == Direction::up, true,
                              step.duration_ns);
  if (direction == Direction::down) step.outcome = StepOutcome::reverted;
  return step;
}

} // namespace preflight::migrate
