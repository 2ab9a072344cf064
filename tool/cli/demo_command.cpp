// `preflight demo`: the whole story on a throwaway cluster with the bundled example.

#include <CLI/CLI.hpp>

#include <filesystem>

#include <fmt/format.h>

#include "cli/app.h"
#include "cli/output.h"
#include "core/check/derive.h"
#include "core/check/read_only.h"
#include "io/check/check_runner.h"
#include "io/migrate/migration_directory.h"
#include "io/migrate/migrator.h"

namespace preflight::cli {

namespace {

void show_status(migrate::Migrator& migrator, const migrate::MigrationSet& files, const std::string& source,
                 const std::string& target) {
  print_status_text(migrate::compute_status(files, migrator.history()), source, target);
}

void check(const migrate::RunReport& report) {
  if (const auto* failed = report.failure()) throw *failed->error;
}

// Post-deploy checks need a realistic table (the planner seq-scans tiny ones) and some traffic
// on the new index; this loads both, then runs the bundled checks file and --from-migration 3.
void run_post_deploy_checks(const pg::DatabaseTarget& target, pg::PgSession& session, const migrate::MigrationSet& files,
                            const config::Config& config) {
  const std::string checks_file =
      (std::filesystem::path(config.migrations).parent_path() / "benchmarks/checks/focus_sessions.checks.toml").string();
  auto checks = check::load_checks(checks_file);
  for (auto& c : check::derive_checks(*files.find(3))) checks.push_back(std::move(c));
  check::refuse_writes(checks);

  print_line("loading 2,000 users and 100,000 focus sessions (2 % active), then ANALYZE …");
  session.exec(
      "INSERT INTO users (email, display_name) "
      "SELECT 'user' || g || '@example.com', 'User ' || g FROM generate_series(1, 2000) g");
  session.exec(
      "INSERT INTO focus_sessions (user_id, mode, status, duration_seconds, started_at, completed_at) "
      "SELECT u, 'pomodoro', s, 1500, now() - g * interval '1 minute', "
      "       CASE WHEN s = 'completed' THEN now() - g * interval '1 minute' + interval '25 minutes' END "
      "FROM (SELECT g, (SELECT id FROM users ORDER BY id LIMIT 1) + (g * 7919) % 2000 AS u, "
      "             CASE WHEN g % 50 = 0 THEN 'active' ELSE 'completed' END AS s "
      "      FROM generate_series(1, 100000) g) rows");
  session.exec("ANALYZE");
  {
    // Application traffic: a separate session whose statistics are flushed when it disconnects.
    auto app = target.connect("preflight demo traffic");
    for (int user = 1; user <= 5; ++user) {
      app->exec_params(
          "SELECT id FROM focus_sessions WHERE user_id = $1 AND status = 'active' ORDER BY started_at DESC LIMIT 1",
          {std::to_string(user)});
    }
    // Flush this backend's statistics now rather than when it gets round to it.
    app->exec("SELECT pg_stat_force_next_flush()");
    app->exec("SELECT 1");
  }
  print_line(fmt::format("preflight check {} --from-migration 3", checks_file));
  check::RunnerOptions options;
  options.migrations = &files;
  options.history_table = config.history_table;
  check::CheckRunner runner(session, options);
  auto report = runner.run(checks, target.display());
  for (const auto& r : report.results) {
    print_line(fmt::format("  {} {}: {}", r.status == check::CheckStatus::passed ? "PASS" : "FAIL", r.name, r.measured));
    if (r.status != check::CheckStatus::passed && !r.detail.empty()) print_line("       " + r.detail);
  }
  print_line(fmt::format("  {} of {} checks passed", report.count(check::CheckStatus::passed), report.results.size()));
  if (!report.passed()) throw Error(ErrorKind::problem, "post-deploy checks failed on the demo database");
}

int run_demo(GlobalOptions& globals) {
  auto config = globals.load_config();
  print_line("== preflight demo: the bundled migrations on a throwaway PostgreSQL cluster");
  // Load and validate before starting anything.
  auto files = migrate::load_migrations(config.migrations);
  globals.ephemeral = true;
  globals.database_url.reset();
  auto target = globals.open_target();
  auto session = target.connect("preflight demo");
  migrate::MigratorOptions options;
  options.history_table = config.history_table;
  migrate::Migrator migrator(*session, options);
  migrator.on_step(print_step);

  print_line("\n== 1. status before");
  show_status(migrator, files, config.migrations, target.display());

  print_line("\n== 2. dry run of every migration (rolled back)");
  {
    migrate::MigratorOptions dry = options;
    dry.dry_run = true;
    migrate::Migrator dry_migrator(*session, dry);
    dry_migrator.on_step(print_step);
    check(dry_migrator.up(files, {}));
  }

  print_line("\n== 3. migrate up");
  check(migrator.up(files, {}));
  show_status(migrator, files, config.migrations, target.display());

  print_line("\n== 4. migrate down (one step: the rollback plan)");
  check(migrator.down(files, {}));
  show_status(migrator, files, config.migrations, target.display());

  print_line("\n== 5. migrate up again");
  check(migrator.up(files, {}));
  show_status(migrator, files, config.migrations, target.display());

  print_line("\n== 6. post-deploy checks (read-only) on realistic data");
  run_post_deploy_checks(target, *session, files, config);
  print_line("\nDemo finished; the throwaway cluster is removed.");
  return 0;
}

}  // namespace

void add_demo_command(CLI::App& app, GlobalOptions& globals, int& exit_code) {
  auto* demo = app.add_subcommand("demo", "run the bundled example end to end on a throwaway cluster");
  demo->callback([&] { exit_code = run_demo(globals); });
}

}  // namespace preflight::cli
