// `preflight demo`: the whole story on a throwaway cluster with the bundled example.

#include <CLI/CLI.hpp>

#include <fmt/format.h>

#include "cli/app.h"
#include "cli/bench_run.h"
#include "io/bench/suite_file.h"
#include "cli/output.h"
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

// The benchmark half of the story, on a fresh database of the same cluster: the bundled suite at
// a scale that finishes in about a minute. Unmet expectations are shown, not fatal, here.
void run_benchmark_step(const pg::DatabaseTarget& target, const config::Config& config) {
  print_line("\n== 6. benchmark: the checklist's five operations before and after migration 0003");
  auto suite = bench::load_suite("benchmarks/focus_sessions.toml");
  const std::string database = "preflight_bench";
  target.cluster()->create_database(database);
  auto session = pg::PgSession::connect(target.cluster()->conninfo(database), "preflight demo bench");
  BenchOptions options;
  options.suite = suite.file;
  options.out = "reports/demo/results.json";
  options.scale = 0.2;
  options.time_budget_s = 1.5;
  options.iterations = 1000;
  auto results = run_suite(std::move(suite), *session, true, options, config.history_table);
  if (auto failed = failed_expectations(results)) print_warning(failed->message());
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

  run_benchmark_step(target, config);
  print_line("\nDemo finished; the throwaway cluster is removed.");
  return 0;
}

}  // namespace

void add_demo_command(CLI::App& app, GlobalOptions& globals, int& exit_code) {
  auto* demo = app.add_subcommand("demo", "run the bundled example end to end on a throwaway cluster");
  demo->callback([&] { exit_code = run_demo(globals); });
}

}  // namespace preflight::cli
