// `preflight migrate …`: up, down, status, verify here; repair, baseline and new in their own
// migrate_*_command.cpp files.

#include <CLI/CLI.hpp>

#include <fmt/format.h>

#include "cli/app.h"
#include "cli/migrate_dry_run.h"
#include "cli/migrate_history.h"
#include "cli/migrate_subcommands.h"
#include "cli/number_options.h"
#include "cli/output.h"
#include "cli/trace_locks.h"
#include "core/migrate/version_argument.h"
#include "io/migrate/migrator.h"

namespace preflight::cli {

namespace {

// Prints the run and turns a failed step into the error main reports (exit 1).
int finish_run(const migrate::RunReport& report, bool dry_run, bool on_copy,
               migrate::Direction direction) {
  if (auto error = run_failure(report, dry_run, on_copy, direction)) throw *error;
  if (report.steps.empty()) {
    print_line(direction == migrate::Direction::up ? "Nothing to apply: the database is up to date."
                                                   : "Nothing to revert.");
  } else if (dry_run) {
    print_line(fmt::format("Dry run: {} migration{} checked{}; the database was not changed.",
                           report.steps.size(), report.steps.size() == 1 ? "" : "s",
                           on_copy ? " on a copy, now dropped" : ""));
  }
  return 0;
}

int run_up_or_down(GlobalOptions& globals, MigrateOptions options, migrate::Direction direction) {
  CommandContext context(globals, MigrationFiles::checked); // validate before connecting
  const auto& files = context.files();
  if (options.to_argument)
    options.to = migrate::version_argument(files, context.layout(), *options.to_argument, "--to");
  auto settings = migrator_options(context.config(), options); // validates the timeouts
  settings.layout = context.layout();
  const auto action = direction == migrate::Direction::up ? MigrateAction::up : MigrateAction::down;
  if (is_fleet_run(options.fleet, globals, context.config())) {
    return run_migrate_fleet(context, globals, options, action);
  }
  check_single_target_format(options.format);
  auto cx = context.connect("preflight migrate");
  const bool json = options.format == "json";
  // A dry run picks, before anything runs, between one rolled-back transaction here and a
  // throwaway copy where the migrations commit one by one (see docs/dry-run.md).
  DryRunSetup dry;
  if (!options.dry_run_mode.empty()) {
    dry = prepare_dry_run(*cx.session, files,
                          dry_run_request(options, direction, history_setting(context, cx), json));
    if (dry.copy) {
      settings.dry_run = false;
      settings.on_copy = true;
    }
  }
  const bool on_copy = dry.copy != nullptr;
  std::optional<migrate::RunReport> finished;
  {
    migrate::Migrator migrator(on_copy ? *dry.session : *cx.session, settings);
    migrator.on_lock_wait([](const std::string& holder) {
      print_warning("waiting for the migration lock held by " +
                    (holder.empty() ? "another session" : holder));
    });
    std::optional<TraceLocksRun> trace;
    if (options.trace.enabled) trace.emplace(options.trace, migrator, files);
    migrator.on_step([&trace, json](const migrate::StepReport& step) {
      if (!json) print_step(step);
      if (trace) trace->on_step(step);
    });
    migrate::RunReport report;
    if (direction == migrate::Direction::up) {
      report = migrator.up(files, {options.to, options.allow_out_of_order});
    } else {
      report = migrator.down(files, {options.steps, options.to});
    }
    if (json) {
      // One document on stdout, also for a failed run: the failure itself goes to stderr below.
      nlohmann::json document{{"steps", steps_json(report)}};
      if (trace) document["lock_trace"] = trace->to_json();
      if (!dry.description.is_null()) document["dry_run"] = dry.description;
      print_json(document);
      if (!report.failure()) return 0;
    } else if (trace) {
      trace->print_text();
    }
    finished = std::move(report);
  }
  // The copy is dropped before the summary says so.
  dry.session.reset();
  dry.copy.reset();
  return finish_run(*finished, !options.dry_run_mode.empty(), on_copy, direction);
}

int run_status(GlobalOptions& globals, const MigrateOptions& options) {
  CommandContext context(globals, MigrationFiles::names_and_bytes);
  if (is_fleet_run(options.fleet, globals, context.config())) {
    return run_migrate_fleet(context, globals, options, MigrateAction::status);
  }
  check_single_target_format(options.format);
  auto cx = context.connect("preflight migrate status");
  auto store = migrate::open_history_table(*cx.session, history_setting(context, cx));
  store->pin_schema();
  auto status = migrate::compute_status(context.files(), store->list(context.files()));
  const auto repeatables = migrate::repeatable_status(context.files(), store->repeatable_runs());
  if (options.format == "json") {
    auto document = status_json(status, repeatables);
    document["history"] = {{"table", migrate::describe_history(store->kind())},
                           {"checksums", migrate::records_checksum(store->kind())}};
    print_json(document);
  } else {
    print_status_text(status, repeatables, context.config().migrations, cx.display);
    if (auto note = no_checksum_note(store->kind()); !note.empty()) print_line(note);
    for (const auto& m : context.files().all()) {
      if (m.down && m.down->problem) {
        print_warning(m.down->problem->headline() + " (`migrate down` refuses to revert version " +
                      m.shown_version() + ")");
      }
    }
  }
  if (!options.exit_code_on_pending) return 0;
  // Not up to date either way; a history problem is what verify and up exit 3 for, and outranks
  // pending work (up would refuse to run it).
  if (!migrate::history_problems(status).empty()) return 3;
  if (!migrate::repeatable_problems(repeatables).empty()) return 3;
  if (migrate::count_in(repeatables, migrate::RepeatableState::pending) +
          migrate::count_in(repeatables, migrate::RepeatableState::outdated) >
      0) {
    return 1;
  }
  for (const auto& e : status) {
    if (e.state == migrate::MigrationState::pending ||
        e.state == migrate::MigrationState::pending_out_of_order) {
      return 1;
    }
  }
  return 0;
}

int run_verify(GlobalOptions& globals, const MigrateOptions& options) {
  CommandContext context(globals, MigrationFiles::names_and_bytes);
  if (is_fleet_run(options.fleet, globals, context.config())) {
    return run_migrate_fleet(context, globals, options, MigrateAction::verify);
  }
  if (options.format != "text") {
    throw Error(ErrorKind::usage,
                "--format of migrate verify reports one entry per target: it needs --targets, "
                "--targets-query or [[target]] in preflight.toml");
  }
  auto cx = context.connect("preflight migrate verify");
  auto store = migrate::open_history_table(*cx.session, history_setting(context, cx));
  store->pin_schema();
  auto status = migrate::compute_status(context.files(), store->list(context.files()));
  const auto repeatables = migrate::repeatable_status(context.files(), store->repeatable_runs());
  auto problems = migrate::history_problems(status);
  for (auto& p : migrate::repeatable_problems(repeatables)) problems.push_back(std::move(p));
  if (!problems.empty()) throw Error::combine(std::move(problems));
  std::size_t applied = migrate::count_in(repeatables, migrate::RepeatableState::applied);
  for (const auto& e : status) applied += e.applied ? 1U : 0U;
  if (const auto again = migrate::count_in(repeatables, migrate::RepeatableState::outdated)) {
    print_line(fmt::format("{} repeatable migration{} changed since {} last run: `migrate up` "
                           "runs {} again",
                           again, again == 1 ? "" : "s", again == 1 ? "its" : "their",
                           again == 1 ? "it" : "them"));
  }
  if (!migrate::records_checksum(store->kind())) {
    // Nothing to compare the files with: say what was checked, not more.
    print_line(fmt::format("verified: {} applied migration{} {} {} file{}; {}", applied,
                           applied == 1 ? "" : "s", applied == 1 ? "has" : "have",
                           applied == 1 ? "its" : "their", applied == 1 ? "" : "s",
                           no_checksum_note(store->kind())));
    return 0;
  }
  print_line(applied == 1
                 ? std::string("verified: 1 applied migration matches its file")
                 : fmt::format("verified: {} applied migrations match their files", applied));
  return 0;
}

// --dry-run alone is auto; --dry-run=MODE picks one. A value only after "=": `--dry-run copy`
// would read a positional argument.
void add_dry_run_options(CLI::App& command, MigrateOptions& options) {
  auto* dry_run =
      command
          .add_flag("--dry-run{auto}", options.dry_run_mode,
                    "try the migrations without changing the database: --dry-run=transaction "
                    "(one transaction, rolled back), copy (committed on a throwaway copy, then "
                    "dropped) or auto (the default: copy when the plan may not fit the server's "
                    "lock table or has a -- no-transaction migration)")
          ->check(CLI::Validator(
              [](std::string& value) -> std::string {
                if (migrate::parse_dry_run_mode(value)) return {};
                return fmt::format("{} is not a dry-run mode; use --dry-run=transaction, "
                                   "--dry-run=copy or --dry-run=auto (plain --dry-run is auto)",
                                   value);
              },
              "MODE"));
  command
      .add_flag("--with-data", options.with_data,
                "with a dry run on a copy: copy the rows too (databases up to 1 GiB)")
      ->needs(dry_run);
}

void add_lock_options(CLI::App& command, MigrateOptions& options) {
  add_lock_wait_option(command, options.lock_wait_seconds);
  command.add_option("--lock-timeout", options.lock_timeout,
                     "SET LOCAL lock_timeout for each migration, e.g. 5s");
  command.add_option("--statement-timeout", options.statement_timeout,
                     "SET LOCAL statement_timeout for each migration, e.g. 10min");
}

} // namespace

void add_lock_wait_option(CLI::App& command, double& seconds) {
  command.add_option("--lock-wait", seconds, "seconds to wait for the migration lock (default 60)")
      ->check(finite_in(0, 1e9)); // as preflight.toml's lock_wait
}

migrate::MigratorOptions migrator_options(const config::Config& config,
                                          const MigrateOptions& options) {
  for (const auto& [flag, value] : {std::pair{"--lock-timeout", &options.lock_timeout},
                                    std::pair{"--statement-timeout", &options.statement_timeout}}) {
    if (!value->empty() && !config::is_timeout_setting(*value)) {
      throw Error(ErrorKind::usage, fmt::format("{} {}: not a timeout", flag, *value),
                  config::k_timeout_hint);
    }
  }
  migrate::MigratorOptions m;
  m.history_table = config.history_table;
  m.history_mode = config.history;
  m.lock_timeout = options.lock_timeout.empty() ? config.lock_timeout : options.lock_timeout;
  m.statement_timeout =
      options.statement_timeout.empty() ? config.statement_timeout : options.statement_timeout;
  double wait = options.lock_wait_seconds >= 0 ? options.lock_wait_seconds
                                               : config.lock_wait_seconds.value_or(60);
  m.lock_wait = std::chrono::milliseconds(static_cast<std::int64_t>(wait * 1000));
  m.dry_run = !options.dry_run_mode.empty();
  return m;
}

std::optional<Error> run_failure(const migrate::RunReport& report, bool dry_run, bool on_copy,
                                 migrate::Direction direction) {
  const auto* failed = report.failure();
  if (failed == nullptr) return std::nullopt;
  Error error = *failed->error;
  const std::size_t done = report.steps.size() - 1;
  std::string hint = error.hint();
  const std::string earlier = fmt::format(
      "{} earlier migration{} of this run stay{} {}", done, done == 1 ? "" : "s",
      done == 1 ? "s" : "", direction == migrate::Direction::up ? "applied" : "reverted");
  std::string summary;
  if (dry_run) {
    summary = on_copy ? "nothing was changed (dry run on a copy, now dropped)"
                      : "nothing was changed (dry run)";
  } else if (failed->rolled_back) {
    summary = fmt::format("migration {} was rolled back; {}", failed->version, earlier);
  } else {
    // A -- no-transaction migration cannot be rolled back: say what is left, and the way out.
    summary = fmt::format(
        "migration {} ran without a transaction: the statements before the failing one stay "
        "done, and its history row is marked failed, which blocks further runs; fix the database "
        "by hand, then `preflight migrate repair`; {}",
        failed->version, earlier);
  }
  return Error(ErrorKind::problem, error.message(), hint.empty() ? summary : hint + "\n" + summary,
               error.location());
}

DryRunRequest dry_run_request(const MigrateOptions& options, migrate::Direction direction,
                              const migrate::HistorySetting& history, bool quiet) {
  DryRunRequest request;
  request.mode = *migrate::parse_dry_run_mode(options.dry_run_mode); // validated by CLI11
  request.with_data = options.with_data;
  request.down = direction == migrate::Direction::down;
  request.up = {options.to, options.allow_out_of_order};
  request.down_options = {options.steps, options.to};
  request.history = history;
  request.json = quiet;
  return request;
}

void add_migrate_command(CLI::App& app, GlobalOptions& globals, int& exit_code) {
  auto* migrate = app.add_subcommand("migrate", "apply, revert and inspect versioned migrations");
  migrate->require_subcommand(1);
  auto options = std::make_shared<MigrateOptions>();

  auto* up = migrate->add_subcommand("up", "apply pending migrations in order");
  up->add_option("--to", options->to_argument,
                 "apply up to and including this version (as the migration files write it)");
  add_dry_run_options(*up, *options);
  up->add_flag("--allow-out-of-order", options->allow_out_of_order,
               "apply pending migrations older than the newest applied one");
  add_lock_options(*up, *options);
  add_trace_locks_options(*up, options->trace, options->format);
  add_fleet_options(*up, options->fleet);
  up->callback(
      [&, options] { exit_code = run_up_or_down(globals, *options, migrate::Direction::up); });

  auto* down =
      migrate->add_subcommand("down", "revert applied migrations, newest first (default: one)");
  auto* steps = down->add_option("--steps", options->steps, "revert this many migrations");
  down->add_option("--to", options->to_argument,
                   "revert every migration newer than this version (0: all)")
      ->excludes(steps);
  add_dry_run_options(*down, *options);
  add_lock_options(*down, *options);
  add_trace_locks_options(*down, options->trace, options->format);
  add_fleet_options(*down, options->fleet);
  down->callback(
      [&, options] { exit_code = run_up_or_down(globals, *options, migrate::Direction::down); });

  auto* status = migrate->add_subcommand(
      "status", "list applied, pending, missing, edited and failed migrations");
  status
      ->add_option("--format", options->format,
                   "text or json; with targets also github or junit (one entry per target)")
      ->check(CLI::IsMember({"text", "json", "github", "junit"}));
  add_fleet_options(*status, options->fleet);
  status->add_flag("--exit-code", options->exit_code_on_pending,
                   "exit 1 when a migration is pending, 3 when one is failed, edited or missing");
  status->callback([&, options] { exit_code = run_status(globals, *options); });

  auto* verify = migrate->add_subcommand(
      "verify", "check applied migrations against their files (exit 3 on mismatch)");
  verify
      ->add_option("--format", options->format,
                   "with targets: text, json, github or junit (one entry per target)")
      ->check(CLI::IsMember({"text", "json", "github", "junit"}));
  add_fleet_options(*verify, options->fleet);
  verify->callback([&, options] { exit_code = run_verify(globals, *options); });

  add_migrate_repair_command(*migrate, globals, exit_code);
  add_migrate_baseline_command(*migrate, globals, exit_code);
  add_migrate_adopt_command(*migrate, globals, exit_code);
  add_migrate_new_command(*migrate, globals, exit_code);
  add_migrate_diff_command(*migrate, globals, exit_code);
}

} // namespace preflight::cli
