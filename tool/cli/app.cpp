#include "cli/app.h"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/output.h"
#include "core/error.h"
#include "core/migrate/layouts/layout.h"
#include "io/cluster/throwaway_cluster.h"
#include "io/read_limited.h"
#include <fmt/format.h>

namespace preflight::cli {

const char* const k_app_description = "preflight: PostgreSQL migration and performance validation";

config::Config GlobalOptions::load_config() const {
  config::Config config;
  // A folder, a device or an endless stream is refused by the read, not taken for a config.
  if (auto text = io::read_file_limited(config_path, io::k_config_limit)) {
    config = config::parse_config(*text, config_path);
  } else if (config_path_given) {
    throw Error(ErrorKind::input, "configuration file not found", {}, Location{config_path, 0, 0});
  }
  if (source) config.migrations = *source;
  if (layout) {
    if (!migrate::layout_from_name(*layout)) {
      throw Error(ErrorKind::usage, fmt::format("--layout {}: unknown layout", *layout),
                  "known layouts: " + migrate::layout_names());
    }
    config.layout = *layout;
  }
  return config;
}

pg::TargetRequest GlobalOptions::target_request() const {
  pg::TargetRequest request;
  request.database_url = database_url;
  request.ephemeral = ephemeral;
  request.cluster.durable = durable;
  return request;
}

pg::DatabaseTarget GlobalOptions::open_target() const {
  return pg::DatabaseTarget(target_request());
}

void define_app(CLI::App& app, GlobalOptions& globals, int& exit_code) {
  app.set_version_flag("--version", std::string("preflight ") + PREFLIGHT_VERSION);
  app.require_subcommand(1);
  app.fallthrough();

  app.add_option("--database-url", globals.database_url,
                 "PostgreSQL URL or libpq string (default: $DATABASE_URL, .env, PG* variables)");
  app.add_flag("--ephemeral", globals.ephemeral, "run against a throwaway PostgreSQL cluster");
  app.add_flag("--durable", globals.durable,
               "throwaway cluster with fsync and synchronous_commit on");
  app.add_option("--config", globals.config_path, "configuration file (default: preflight.toml)")
      ->each([&](const std::string&) { globals.config_path_given = true; });
  app.add_option("--source", globals.source,
                 "migrations folder (default: config `migrations`, else ./migrations)");
  app.add_option("--layout", globals.layout,
                 "migrations layout: sqlx, golang-migrate, goose, dbmate, flyway, diesel "
                 "(default: config `layout`, else detected from the files)");

  add_migrate_command(app, globals, exit_code);
  add_demo_command(app, globals, exit_code);
  add_lint_command(app, globals, exit_code);
  add_check_command(app, globals, exit_code);
  add_bench_command(app, globals, exit_code);
  add_report_command(app, globals, exit_code);
  add_completion_command(app, exit_code);
}

int run(int argc, char** argv) {
  cluster::install_signal_handlers();
  CLI::App app{k_app_description};
  GlobalOptions globals;
  int exit_code = 0;
  define_app(app, globals, exit_code);

  try {
    try {
      app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
      return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
      return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
      return app.exit(e);
    } catch (const CLI::ParseError& e) {
      throw Error(ErrorKind::usage, e.what(), "run `preflight --help` for usage");
    }
    return exit_code;
  } catch (const Error& e) {
    print_error(e);
    return preflight::exit_code(e.kind());
  } catch (const std::exception& e) {
    print_error(Error(ErrorKind::internal, std::string("internal error: ") + e.what(),
                      "this is a bug in preflight; please report it with the command you ran"));
    return preflight::exit_code(ErrorKind::internal);
  }
}

} // namespace preflight::cli
