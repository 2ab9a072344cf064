#pragma once
// The steps of `preflight demo` beyond plain migrator calls (see demo_command.cpp for the story).

#include "core/check/results.h"
#include "core/config/config.h"
#include "io/migrate/migrator.h"
#include "io/pg/database_target.h"

namespace preflight::cli {

/// Throws the failed step's error, if any.
void require_success(const migrate::RunReport& report);

/// Lints the migration set and prints the findings (0003's plain CREATE INDEX is expected).
void show_lint(const migrate::MigrationSet& files);

/// Loads users, focus sessions, libraries and tracks (then ANALYZE) so that locks and plans
/// mean something; needs the schema of version 2.
void load_demo_rows(pg::PgSession& session);

/// A traced dry run of the pending migrations (0003) on the loaded rows: the locks each statement
/// takes, how long writes to focus_sessions would be blocked (the checklist's "non-blocking"
/// claim checked), and the safer no-transaction CREATE INDEX CONCURRENTLY, linted.
void show_migration_safety(pg::PgSession& session, const migrate::MigrationSet& files,
                           const migrate::MigratorOptions& options);

/// The bundled post-deploy checks plus --from-migration 3, after some application traffic;
/// returns their results, throws Error(problem) if a check fails.
check::CheckReport run_post_deploy_checks(const pg::DatabaseTarget& target, pg::PgSession& session,
                                          const migrate::MigrationSet& files,
                                          migrate::Layout layout, const config::Config& config);

/// The bundled benchmark suite at a small scale on a fresh database of the demo's cluster, then
/// reports/demo/results.json, checks.json, report.md and report.html (with the checks).
void run_benchmark_and_reports(const pg::DatabaseTarget& target, const config::Config& config,
                               const check::CheckReport& checks);

} // namespace preflight::cli
