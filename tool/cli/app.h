#pragma once
// The command-line front end: parses arguments with CLI11, runs one command, prints its errors.

#include <optional>
#include <string>

#include "core/config/config.h"
#include "io/pg/database_target.h"

namespace CLI {
class App;
}

namespace preflight::cli {

/// Options every command shares (bound on the top-level app, accepted after the subcommand).
struct GlobalOptions {
  std::optional<std::string> database_url;
  bool ephemeral = false;
  bool durable = false;
  std::string config_path = "preflight.toml";
  bool config_path_given = false;
  std::optional<std::string> source; // --source DIR overrides `migrations` in the config

  /// The project configuration (defaults when preflight.toml does not exist and was not named).
  config::Config load_config() const;
  /// The database to talk to (starts a throwaway cluster for --ephemeral).
  /// What --database-url, --ephemeral and --durable ask for.
  pg::TargetRequest target_request() const;
  pg::DatabaseTarget open_target() const;
};

/// Runs preflight with `argv`; returns the process exit code (see README, "Exit codes").
int run(int argc, char** argv);

// One function per subcommand file; each adds its subcommand and sets `exit_code` when it runs.
void add_migrate_command(CLI::App& app, GlobalOptions& globals, int& exit_code);
void add_demo_command(CLI::App& app, GlobalOptions& globals, int& exit_code);
void add_lint_command(CLI::App& app, GlobalOptions& globals, int& exit_code);
void add_check_command(CLI::App& app, GlobalOptions& globals, int& exit_code);
void add_bench_command(CLI::App& app, GlobalOptions& globals, int& exit_code);
void add_bench_compare_command(CLI::App& bench, GlobalOptions& globals, int& exit_code);
void add_report_command(CLI::App& app, GlobalOptions& globals, int& exit_code);

} // namespace preflight::cli
