// `preflight demo`: the deployment checklist's story on a throwaway cluster with the bundled
// example — lint, dry run, lock trace, apply, post-deploy checks, rollback, benchmark, report.

#include <filesystem>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/app.h"
#include "cli/demo_load.h"
#include "cli/demo_steps.h"
#include "cli/output.h"
#include "io/example/bundled_example.h"
#include "io/migrate/layout_directory.h"
#include "io/migrate/migrator.h"

namespace preflight::cli {

namespace {

void show_status(migrate::Migrator& migrator, const migrate::MigrationSet& files,
                 const std::string& source, const std::string& target) {
  print_status_text(migrate::compute_status(files, migrator.history()), {}, source, target);
}

// The demo's inputs are the project's own files, found from the working directory; an installed
// preflight runs a copy of the example it carries (share/preflight/example) instead.
void enter_project_folder(GlobalOptions& globals) {
  const char* suite = "benchmarks/focus_sessions.toml";
  if (std::filesystem::exists(suite)) return;
  if (auto example = example::installed_example()) {
    const auto folder = example::copy_to_temp_folder(*example);
    // Paths the user gave stay relative to where they ran preflight.
    if (globals.config_path_given)
      globals.config_path = std::filesystem::absolute(globals.config_path).string();
    if (globals.source) globals.source = std::filesystem::absolute(*globals.source).string();
    std::filesystem::current_path(folder);
    print_line(fmt::format("== the bundled example, copied to {} (the reports are written there)",
                           folder.string()));
    return;
  }
  throw Error(ErrorKind::usage,
              fmt::format("{} not found: preflight demo runs the bundled example from the "
                          "preflight project's folder",
                          suite),
              "cd to the preflight checkout (where migrations/ and benchmarks/ are), or run "
              "`bash tool/setup.sh demo` there");
}

int run_demo(GlobalOptions& globals) {
  enter_project_folder(globals);
  auto config = globals.load_config();
  print_line("== preflight demo: the bundled migrations on a throwaway PostgreSQL cluster");
  // Load and validate before starting anything.
  migrate::MigratorOptions options;
  auto files =
      migrate::load_layout_migrations(config.migrations, config.layout, {}, &options.layout);
  globals.ephemeral = true;
  globals.database_url.reset();
  auto target = globals.open_target();
  auto session = target.connect("preflight demo");
  options.history_table = config.history_table;
  options.history_mode = config.history;
  migrate::Migrator migrator(*session, options);
  migrator.on_step(print_step);

  print_line("\n== 1. status before");
  show_status(migrator, files, config.migrations, target.display());

  print_line("\n== 2. preflight lint: the checklist calls 0003's CREATE INDEX \"non-blocking\"");
  show_lint(files);

  print_line("\n== 3. migrate up --dry-run: every migration for real, then rolled back");
  {
    migrate::MigratorOptions dry = options;
    dry.dry_run = true;
    migrate::Migrator dry_migrator(*session, dry);
    dry_migrator.on_step(print_step);
    require_success(dry_migrator.up(files, {}));
  }

  print_line("\n== 4. migrate up --to 2, then 5,000 users, 200,000 focus sessions, 10,000 "
             "libraries, 50,000 tracks");
  require_success(migrator.up(files, {2, false}));
  load_demo_rows(*session);

  print_line("\n== 5. migrate up --dry-run --trace-locks: what 0003 locks, and for how long");
  show_migration_safety(*session, files, options);

  print_line("\n== 6. migrate up");
  require_success(migrator.up(files, {}));
  show_status(migrator, files, config.migrations, target.display());

  print_line("\n== 7. post-deploy checks (read-only)");
  auto checks = run_post_deploy_checks(target, *session, files, options.layout, config);

  print_line("\n== 8. migrate down: the rollback plan, then up again");
  require_success(migrator.down(files, {}));
  show_status(migrator, files, config.migrations, target.display());
  require_success(migrator.up(files, {}));

  print_line(
      "\n== 9. benchmark: the checklist's five operations before and after 0003, then the report");
  run_benchmark_and_reports(target, config, checks);

  print_line("\n== 10. migration under traffic: 0003 as written, then with CREATE INDEX "
             "CONCURRENTLY, while the checklist's operations run");
  run_load_comparison(target, config);
  print_line("\nDemo finished; the throwaway cluster is removed.");
  return 0;
}

} // namespace

void add_demo_command(CLI::App& app, GlobalOptions& globals, int& exit_code) {
  auto* demo =
      app.add_subcommand("demo", "run the bundled example end to end on a throwaway cluster");
  demo->callback([&] { exit_code = run_demo(globals); });
}

} // namespace preflight::cli
