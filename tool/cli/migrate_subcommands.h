#pragma once
// The `migrate` subcommands that live in their own files (migrate_command.cpp adds them).

#include "cli/app.h"
#include "io/migrate/migrator.h"

namespace preflight::cli {

/// `migrate repair [--dry-run]`.
void add_migrate_repair_command(CLI::App& migrate, GlobalOptions& globals, int& exit_code);
/// `migrate baseline V [--dry-run]`.
void add_migrate_baseline_command(CLI::App& migrate, GlobalOptions& globals, int& exit_code);
/// `migrate new NAME [--reversible]`.
void add_migrate_new_command(CLI::App& migrate, GlobalOptions& globals, int& exit_code);
/// `migrate diff [--to V] [--format text|json|md] [--ignore PATTERN…] [--sql] [--comments]`.
void add_migrate_diff_command(CLI::App& migrate, GlobalOptions& globals, int& exit_code);

/// Migrator settings for commands that only touch the history: table and lock wait from the
/// config (`lock_wait_seconds` < 0 means "not given on the command line").
migrate::MigratorOptions history_migrator_options(const config::Config& config,
                                                  double lock_wait_seconds, bool dry_run);

} // namespace preflight::cli
