// `preflight check [CHECKS.toml] [--from-migration V]`: post-deploy assertions, read-only.

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <fstream>

#include <fmt/format.h>

#include "cli/app.h"
#include "cli/command_context.h"
#include "cli/fleet_run.h"
#include "cli/output.h"
#include "core/check/derive.h"
#include "core/check/read_only.h"
#include "core/migrate/version_argument.h"
#include "core/report/check_report.h"
#include "io/check/check_runner.h"
#include "io/migrate/layout_directory.h"
#include "io/migrate/migration_directory.h"

namespace preflight::cli {

namespace {

struct CheckOptions {
  std::string file;
  std::optional<std::string> from_migration; // as the files write the version
  std::string window;
  std::string statement_timeout = "5s";
  std::string format = "text";
  FleetOptions fleet;
};

bool needs_migrations(const std::vector<check::Check>& checks) {
  for (const auto& c : checks) {
    if (c.kind == check::CheckKind::migration || c.kind == check::CheckKind::drift) return true;
  }
  return false;
}

// Resolves each drift check's `to` against the files before anything connects, as `migrate diff
// --to` does: a version no file has is bad input at the check (exit 2).
void resolve_drift_targets(std::vector<check::Check>& checks, const migrate::MigrationSet& files,
                           migrate::Layout layout) {
  for (auto& c : checks) {
    if (c.kind != check::CheckKind::drift) continue;
    const std::string given = c.to_text.empty() && c.to ? std::to_string(*c.to) : c.to_text;
    std::optional<std::int64_t> to = c.to;
    if (!c.to_text.empty())
      to = migrate::try_version_argument(files, layout, c.to_text).value_or(-1);
    if (to && *to != 0 && files.find(*to) == nullptr) {
      throw Error(ErrorKind::input,
                  fmt::format("check \"{}\": `to`: no migration has version {}", c.name, given),
                  "give the version of a migration in the folder (`preflight migrate status` "
                  "lists them), or 0 for none",
                  c.location);
    }
    c.to = to;
  }
}

// Collects the checks to run: the file's, then those derived from a migration.
std::vector<check::Check> gather_checks(const CheckOptions& options,
                                        const std::optional<migrate::MigrationSet>& files,
                                        migrate::Layout layout) {
  std::vector<check::Check> checks;
  if (!options.file.empty()) checks = check::load_checks(options.file);
  if (options.from_migration) {
    const auto* migration = files->find(
        migrate::version_argument(*files, layout, *options.from_migration, "--from-migration"));
    if (migration == nullptr) {
      throw Error(ErrorKind::usage,
                  fmt::format("--from-migration {}: no migration has this version",
                              *options.from_migration));
    }
    for (auto& c : check::derive_checks(*migration)) checks.push_back(std::move(c));
  }
  if (checks.empty()) {
    throw Error(ErrorKind::usage, "nothing to check",
                "give a checks file, --from-migration V, or both");
  }
  return checks;
}

void publish(const check::CheckReport& report, const std::string& format) {
  if (format == "json") {
    print_json(check::to_json(report));
  } else if (format == "junit") {
    print_text(check::render_junit(report));
  } else if (format == "github") {
    print_text(check::render_github_annotations(report));
    print_text(check::render_text(report));
    append_step_summary(check::render_markdown(report));
  } else {
    print_text(check::render_text(report));
  }
}

// One target of `check --targets`: its checks' lines prefixed by its name, one entry in the
// fleet report.
fleet::TargetOutcome check_target(const CommandContext& context, const CheckOptions& options,
                                  const check::RunnerOptions& runner,
                                  const std::vector<check::Check>& checks,
                                  const config::TargetSpec& target) {
  auto cx = context.connect(target, "preflight check");
  auto settings = runner;
  settings.history.sqlx_table = cx.history_table;
  check::CheckRunner check_runner(*cx.session, settings);
  auto report = check_runner.run(checks, target.name);
  const bool text = options.format == "text" || options.format == "github";
  if (text) FleetLog::out_lines(target.name, check::render_text(report));
  fleet::TargetOutcome outcome;
  const auto failed = report.count(check::CheckStatus::failed);
  outcome.result = failed == 0 ? fleet::TargetResult::ok : fleet::TargetResult::failed;
  outcome.summary =
      fmt::format("{} of {} checks passed", report.results.size() - failed, report.results.size());
  // Printed once: on stdout with the target's lines, or the failed checks in its report entry.
  if (failed > 0) outcome.detail = outcome.summary;
  if (failed > 0 && !text) {
    for (const auto& r : report.results) {
      if (r.status != check::CheckStatus::failed) continue;
      outcome.detail += fmt::format("\n{}: {} (expected {})", r.name, r.measured, r.expected);
      if (!r.detail.empty()) outcome.detail += "\n" + r.detail;
    }
  }
  return outcome;
}

int run_check(GlobalOptions& globals, const CheckOptions& options) {
  // Validate everything before connecting: a bad file or a writing query runs nothing.
  CommandContext context(globals, MigrationFiles::none);
  const auto& config = context.config();
  check::RunnerOptions runner;
  runner.statement_timeout_ms =
      check::parse_duration_ms(options.statement_timeout, "--statement-timeout");
  if (!options.window.empty())
    runner.window_ms = check::parse_duration_ms(options.window, "--window");
  runner.history = {config.history_table, config.history, migrate::Layout::sqlx};

  std::optional<migrate::MigrationSet> files;
  if (options.from_migration)
    files = migrate::load_layout_migrations(config.migrations, config.layout, {},
                                            &runner.history.layout);
  auto checks = gather_checks(options, files, runner.history.layout);
  check::refuse_writes(checks);
  if (!files && needs_migrations(checks))
    files = migrate::load_layout_migrations(config.migrations, config.layout, {},
                                            &runner.history.layout);
  if (files) {
    resolve_drift_targets(checks, *files, runner.history.layout);
    runner.migrations = &*files;
  }

  if (is_fleet_run(options.fleet, globals, config)) {
    auto report =
        run_fleet(context, globals, options.fleet, "check", [&](const config::TargetSpec& target) {
          return check_target(context, options, runner, checks, target);
        });
    print_fleet_report(report, options.format);
    print_fleet_failures(report);
    return fleet::exit_code(report);
  }
  auto cx = context.connect("preflight check");
  check::CheckRunner check_runner(*cx.session, runner);
  auto report = check_runner.run(checks, cx.display);
  publish(report, options.format);
  return report.passed() ? 0 : 1;
}

} // namespace

void add_check_command(CLI::App& app, GlobalOptions& globals, int& exit_code) {
  auto options = std::make_shared<CheckOptions>();
  auto* command =
      app.add_subcommand("check", "run post-deploy checks (read-only) against a database");
  command->add_option("checks", options->file, "checks file (TOML, [[check]] tables)");
  command->add_option(
      "--from-migration", options->from_migration,
      "also check that migration V is applied and everything its up script creates exists");
  command->add_option("--window", options->window,
                      "index_used: sample idx_scan this far apart (e.g. 30s) instead of since the "
                      "last stats reset");
  command->add_option("--statement-timeout", options->statement_timeout,
                      "statement_timeout of each check's read-only transaction (default 5s)");
  command->add_option("--format", options->format, "text, json, junit or github")
      ->check(CLI::IsMember({"text", "json", "junit", "github"}));
  add_fleet_options(*command, options->fleet);
  command->callback([&, options] { exit_code = run_check(globals, *options); });
}

} // namespace preflight::cli
