// The steps of `preflight demo` that need more than a migrator call: the migration-safety
// story (lint, lock trace), post-deploy checks, the benchmark suite and the reports.

#include "cli/demo_steps.h"

#include <chrono>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "cli/bench_run.h"
#include "cli/output.h"
#include "core/check/derive.h"
#include "core/check/read_only.h"
#include "core/lint/linter.h"
#include "core/report/check_report.h"
#include "core/report/lint_report.h"
#include "core/text/text.h"
#include "io/bench/suite_file.h"
#include "io/check/check_runner.h"
#include "io/lint/lint_sources.h"
#include "io/migrate/lock_trace.h"
#include "io/report/report_files.h"

namespace preflight::cli {

void require_success(const migrate::RunReport& report) {
  if (const auto* failed = report.failure()) throw *failed->error;
}

namespace {

// ---- Migration safety: lint and lock trace -------------------------------------------------

// The data the trace needs to mean something: a plain CREATE INDEX on an empty table is instant.
constexpr const char* k_demo_rows =
    "INSERT INTO users (email, display_name) SELECT 'user' || g || '@example.com', 'User ' || g "
    "FROM generate_series(1, 5000) g;"
    "INSERT INTO focus_sessions (user_id, mode, status, duration_seconds, started_at) "
    "SELECT 1 + g % 5000, 'pomodoro', CASE WHEN g % 50 = 0 THEN 'active' ELSE 'completed' END, "
    "1500, "
    "now() - g * interval '1 minute' FROM generate_series(1, 200000) g;"
    "INSERT INTO focus_libraries (user_id, name) SELECT 1 + g % 5000, 'Library ' || g FROM "
    "generate_series(1, 10000) g;"
    "INSERT INTO focus_library_tracks (library_id, title, url) SELECT 1 + g % 10000, 'Track ' || "
    "g, "
    "'https://example.com/t/' || g FROM generate_series(1, 50000) g;"
    "ANALYZE";

constexpr const char* k_safer_index =
    "-- no-transaction\n"
    "SET lock_timeout = '5s';\n"
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_focus_sessions_user_active\n"
    "  ON focus_sessions (user_id, status, started_at DESC);\n";

void print_lint(const std::vector<lint::LintMigration>& migrations, std::size_t files) {
  auto findings = lint::lint_migrations(migrations, {});
  for (const auto& line : lint::render_text(findings)) print_line(line);
  print_line("preflight lint: " + lint::summary_line(findings, files));
}

} // namespace

void show_lint(const migrate::MigrationSet& files) {
  std::size_t file_count = 0;
  for (const auto& m : files.all()) file_count += m.down ? 2U : 1U;
  print_lint(lint::lint_migrations_of(files), file_count);
}

void load_demo_rows(pg::PgSession& session) {
  session.exec(k_demo_rows);
}

void show_migration_safety(pg::PgSession& session, const migrate::MigrationSet& files,
                           const migrate::MigratorOptions& options) {
  migrate::MigratorOptions dry = options;
  dry.dry_run = true;
  migrate::Migrator dry_migrator(session, dry);
  migrate::LockTracer tracer(session);
  dry_migrator.observe(&tracer);
  dry_migrator.on_step(print_step);
  require_success(dry_migrator.up(files, {}));
  for (const auto& line : migrate::render_lock_trace(tracer.trace())) print_line(line);

  for (const auto& t : migrate::blocked_tables(tracer.trace())) {
    if (t.relation != "focus_sessions") continue;
    print_line(fmt::format(
        "\nChecklist claim \"Non-blocking: index creation doesn't lock table\": FALSE. "
        "Measured: writes to focus_sessions ({} rows) would be blocked for {} ({} lock, held "
        "until 0003 commits).",
        static_cast<std::int64_t>(t.rows), text::format_duration_ns(t.held_ns),
        migrate::lock_mode_name(t.mode)));
  }

  print_line(
      "\n-- the safer way: a separate -- no-transaction migration with CREATE INDEX CONCURRENTLY");
  print_line("   (SHARE UPDATE EXCLUSIVE: reads and writes continue during the build; a dry run "
             "cannot trace it");
  print_line("    because CONCURRENTLY refuses to run in a transaction)");
  const auto dir =
      std::filesystem::temp_directory_path() /
      fmt::format("preflight-demo-{}", std::chrono::steady_clock::now().time_since_epoch().count());
  std::filesystem::create_directories(dir);
  const auto file = dir / "0004_focus_sessions_user_active_index.sql";
  std::ofstream(file, std::ios::binary) << k_safer_index;
  for (std::string_view line = k_safer_index; !line.empty();) {
    auto eol = line.find('\n');
    print_line("   | " + std::string(line.substr(0, eol)));
    line.remove_prefix(eol + 1);
  }
  print_lint(lint::load_lint_sources({file.string()}).migrations, 1);
  std::filesystem::remove_all(dir);
}

// ---------------------------------------------------------------------------------------------

// Post-deploy checks need a realistic table (the planner seq-scans tiny ones) and some traffic
// on the new index; this adds the traffic, then runs the bundled checks file and
// --from-migration 3.
check::CheckReport run_post_deploy_checks(const pg::DatabaseTarget& target, pg::PgSession& session,
                                          const migrate::MigrationSet& files,
                                          migrate::Layout layout, const config::Config& config) {
  const std::string checks_file = (std::filesystem::path(config.migrations).parent_path() /
                                   "benchmarks/checks/focus_sessions.checks.toml")
                                      .string();
  auto checks = check::load_checks(checks_file);
  for (auto& c : check::derive_checks(*files.find(3))) checks.push_back(std::move(c));
  check::refuse_writes(checks);

  // The rows loaded for the lock trace (step 2b) make the plans realistic.
  session.exec("ANALYZE");
  {
    // Application traffic: a separate session whose statistics are flushed when it disconnects.
    auto app = target.connect("preflight demo traffic");
    for (int user = 1; user <= 5; ++user) {
      app->exec_params("SELECT id FROM focus_sessions WHERE user_id = $1 AND status = 'active' "
                       "ORDER BY started_at DESC LIMIT 1",
                       {std::to_string(user)});
    }
    // Flush this backend's statistics now rather than when it gets round to it.
    app->exec("SELECT pg_stat_force_next_flush()");
    app->exec("SELECT 1");
  }
  print_line(fmt::format("preflight check {} --from-migration 3", checks_file));
  check::RunnerOptions options;
  options.migrations = &files;
  options.history = {config.history_table, config.history, layout};
  check::CheckRunner runner(session, options);
  auto report = runner.run(checks, target.display());
  for (const auto& r : report.results) {
    print_line(fmt::format("  {} {}: {}", r.status == check::CheckStatus::passed ? "PASS" : "FAIL",
                           r.name, r.measured));
    if (r.status != check::CheckStatus::passed && !r.detail.empty())
      print_line("       " + r.detail);
  }
  print_line(fmt::format("  {} of {} checks passed", report.count(check::CheckStatus::passed),
                         report.results.size()));
  if (!report.passed())
    throw Error(ErrorKind::problem, "post-deploy checks failed on the demo database");
  return report;
}

void run_benchmark_and_reports(const pg::DatabaseTarget& target, const config::Config& config,
                               const check::CheckReport& checks) {
  auto suite = bench::load_suite("benchmarks/focus_sessions.toml");
  const std::string database = "preflight_bench";
  target.cluster()->create_database(database);
  auto session =
      pg::PgSession::connect(target.cluster()->conninfo(database), "preflight demo bench");
  BenchOptions options;
  options.suite = suite.file;
  options.out = "reports/demo/results.json";
  options.scale = 0.2;
  options.time_budget_s = 1.5;
  options.iterations = 1000;
  // A short run on a VM whose speed drifts: alternate, so both phases see it.
  options.side_by_side = true;
  auto results = run_suite(std::move(suite), *session, true, options, config, config.history_table);
  // Unmet expectations are part of what the demo shows, not a reason to stop before the report.
  if (auto failed = failed_expectations(results)) print_warning(failed->message());

  const std::string checks_file = "reports/demo/checks.json";
  report::write_text_file(checks_file, check::to_json(checks).dump(2) + "\n");
  auto paths = report::write_reports(results, "reports/demo", &checks);
  print_line("\nReports written:");
  print_line("  " + options.out);
  print_line("  " + checks_file);
  print_line("  " + paths.markdown);
  print_line("  " + paths.html);
}

} // namespace preflight::cli
