#pragma once
// The `migrate` subcommands that live in their own files (migrate_command.cpp adds them).

#include <cstdint>
#include <optional>
#include <string>

#include "cli/app.h"
#include "cli/command_context.h"
#include "cli/fleet_run.h"
#include "cli/migrate_dry_run.h"
#include "cli/trace_locks.h"
#include "io/migrate/migrator.h"

namespace preflight::cli {

/// `migrate repair [--dry-run]`.
void add_migrate_repair_command(CLI::App& migrate, GlobalOptions& globals, int& exit_code);
/// `migrate adopt [--dry-run] [--force]`.
void add_migrate_adopt_command(CLI::App& migrate, GlobalOptions& globals, int& exit_code);
/// `migrate baseline V [--dry-run]`.
void add_migrate_baseline_command(CLI::App& migrate, GlobalOptions& globals, int& exit_code);
/// `migrate new NAME [--reversible]`.
void add_migrate_new_command(CLI::App& migrate, GlobalOptions& globals, int& exit_code);
/// `migrate diff [--to V] [--format text|json|md] [--ignore PATTERN…] [--sql] [--comments]`.
void add_migrate_diff_command(CLI::App& migrate, GlobalOptions& globals, int& exit_code);

/// Adds `--lock-wait SECONDS` (how long to wait for the migration lock) to `command`, bound to
/// `seconds` (left as it is when not given).
void add_lock_wait_option(CLI::App& command, double& seconds);

/// The options of `migrate up|down|status|verify`.
struct MigrateOptions {
  std::optional<std::string> to_argument; // --to as given
  std::optional<std::int64_t> to;         // --to resolved against the files (version_argument)
  std::optional<std::int64_t> steps;
  std::string dry_run_mode; // --dry-run[=MODE]: empty when not given, "auto" alone
  bool with_data = false;   // --with-data: a copy holds the rows too
  bool allow_out_of_order = false;
  double lock_wait_seconds = -1;
  std::string lock_timeout;
  std::string statement_timeout;
  std::string format = "text";
  bool exit_code_on_pending = false;
  TraceLocksOptions trace; // up/down --trace-locks
  FleetOptions fleet;
};

enum class MigrateAction { up, down, status, verify };

/// Migrator settings of `migrate up|down`: timeouts and lock wait from the options, else the
/// config; throws Error(usage) for a timeout PostgreSQL would refuse.
migrate::MigratorOptions migrator_options(const config::Config& config,
                                          const MigrateOptions& options);

/// The error `migrate up|down` reports for a failed step (with what stays applied), if any.
std::optional<Error> run_failure(const migrate::RunReport& report, bool dry_run, bool on_copy,
                                 migrate::Direction direction);

/// What `prepare_dry_run` needs from the options of `migrate up|down --dry-run[=MODE]`; `quiet`
/// prints nothing (JSON output, fleets).
DryRunRequest dry_run_request(const MigrateOptions& options, migrate::Direction direction,
                              const migrate::HistorySetting& history, bool quiet);

/// `migrate up|down|status|verify` over a fleet (migrate_fleet.cpp); returns the exit code.
int run_migrate_fleet(const CommandContext& context, const GlobalOptions& globals,
                      const MigrateOptions& options, MigrateAction action);

} // namespace preflight::cli
