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
#include "io/migrate/layout_directory.h"
#include "io/migrate/migration_directory.h"
#include "io/migrate/migrator.h"

namespace preflight::cli {

namespace {

struct MigrateOptions {
  std::optional<std::int64_t> to;
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
};

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

// Prints the run and turns a failed step into the error main reports (exit 1).
int finish_run(const migrate::RunReport& report, bool dry_run, bool on_copy,
               migrate::Direction direction) {
  if (const auto* failed = report.failure()) {
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
    throw Error(ErrorKind::problem, error.message(), hint.empty() ? summary : hint + "\n" + summary,
                error.location());
  }
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

int run_up_or_down(GlobalOptions& globals, const MigrateOptions& options,
                   migrate::Direction direction) {
  auto config = globals.load_config();
  migrate::Layout layout{};
  auto files = migrate::load_layout_migrations(config.migrations, config.layout, {},
                                               &layout); // validate before connecting
  auto settings = migrator_options(config, options);     // validates the timeouts
  settings.layout = layout;
  auto target = globals.open_target();
  auto session = target.connect("preflight migrate");
  const bool json = options.format == "json";
  // A dry run picks, before anything runs, between one rolled-back transaction here and a
  // throwaway copy where the migrations commit one by one (see docs/dry-run.md).
  DryRunSetup dry;
  if (!options.dry_run_mode.empty()) {
    DryRunRequest request;
    request.mode = *migrate::parse_dry_run_mode(options.dry_run_mode); // validated by CLI11
    request.with_data = options.with_data;
    request.down = direction == migrate::Direction::down;
    request.up = {options.to, options.allow_out_of_order};
    request.down_options = {options.steps, options.to};
    request.history = history_setting(config, layout);
    request.json = json;
    dry = prepare_dry_run(*session, files, request);
    if (dry.copy) {
      settings.dry_run = false;
      settings.on_copy = true;
    }
  }
  const bool on_copy = dry.copy != nullptr;
  std::optional<migrate::RunReport> finished;
  {
    migrate::Migrator migrator(on_copy ? *dry.session : *session, settings);
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

// status and verify compare history with the files' names and bytes; the SQL is checked by the
// commands that run it (up, down, lint).
constexpr migrate::DiscoveryOptions k_names_and_bytes{false};

int run_status(GlobalOptions& globals, const MigrateOptions& options) {
  auto config = globals.load_config();
  migrate::Layout layout{};
  auto files =
      migrate::load_layout_migrations(config.migrations, config.layout, k_names_and_bytes, &layout);
  auto target = globals.open_target();
  auto session = target.connect("preflight migrate status");
  auto store = migrate::open_history_table(*session, history_setting(config, layout));
  store->pin_schema();
  auto status = migrate::compute_status(files, store->list(files));
  if (options.format == "json") {
    auto document = status_json(status);
    document["history"] = {{"table", migrate::describe_history(store->kind())},
                           {"checksums", migrate::records_checksum(store->kind())}};
    print_json(document);
  } else {
    print_status_text(status, config.migrations, target.display());
    if (auto note = no_checksum_note(store->kind()); !note.empty()) print_line(note);
    for (const auto& m : files.all()) {
      if (m.down && m.down->problem) {
        print_warning(m.down->problem->headline() + " (`migrate down` refuses to revert version " +
                      std::to_string(m.version) + ")");
      }
    }
  }
  if (!options.exit_code_on_pending) return 0;
  // Not up to date either way; a history problem is what verify and up exit 3 for, and outranks
  // pending work (up would refuse to run it).
  if (!migrate::history_problems(status).empty()) return 3;
  for (const auto& e : status) {
    if (e.state == migrate::MigrationState::pending ||
        e.state == migrate::MigrationState::pending_out_of_order) {
      return 1;
    }
  }
  return 0;
}

int run_verify(GlobalOptions& globals) {
  auto config = globals.load_config();
  migrate::Layout layout{};
  auto files =
      migrate::load_layout_migrations(config.migrations, config.layout, k_names_and_bytes, &layout);
  auto target = globals.open_target();
  auto session = target.connect("preflight migrate verify");
  auto store = migrate::open_history_table(*session, history_setting(config, layout));
  store->pin_schema();
  auto status = migrate::compute_status(files, store->list(files));
  auto problems = migrate::history_problems(status);
  if (!problems.empty()) throw Error::combine(std::move(problems));
  std::size_t applied = 0;
  for (const auto& e : status) applied += e.applied ? 1U : 0U;
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
  command
      .add_option("--lock-wait", options.lock_wait_seconds,
                  "seconds to wait for the migration lock (default 60)")
      ->check(finite_in(0, 1e9)); // as preflight.toml's lock_wait
  command.add_option("--lock-timeout", options.lock_timeout,
                     "SET LOCAL lock_timeout for each migration, e.g. 5s");
  command.add_option("--statement-timeout", options.statement_timeout,
                     "SET LOCAL statement_timeout for each migration, e.g. 10min");
}

} // namespace

void add_migrate_command(CLI::App& app, GlobalOptions& globals, int& exit_code) {
  auto* migrate = app.add_subcommand("migrate", "apply, revert and inspect versioned migrations");
  migrate->require_subcommand(1);
  auto options = std::make_shared<MigrateOptions>();

  auto* up = migrate->add_subcommand("up", "apply pending migrations in order");
  up->add_option("--to", options->to, "apply up to and including this version");
  add_dry_run_options(*up, *options);
  up->add_flag("--allow-out-of-order", options->allow_out_of_order,
               "apply pending migrations older than the newest applied one");
  add_lock_options(*up, *options);
  add_trace_locks_options(*up, options->trace, options->format);
  up->callback(
      [&, options] { exit_code = run_up_or_down(globals, *options, migrate::Direction::up); });

  auto* down =
      migrate->add_subcommand("down", "revert applied migrations, newest first (default: one)");
  auto* steps = down->add_option("--steps", options->steps, "revert this many migrations");
  down->add_option("--to", options->to, "revert every migration newer than this version (0: all)")
      ->excludes(steps);
  add_dry_run_options(*down, *options);
  add_lock_options(*down, *options);
  add_trace_locks_options(*down, options->trace, options->format);
  down->callback(
      [&, options] { exit_code = run_up_or_down(globals, *options, migrate::Direction::down); });

  auto* status = migrate->add_subcommand(
      "status", "list applied, pending, missing, edited and failed migrations");
  status->add_option("--format", options->format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  status->add_flag("--exit-code", options->exit_code_on_pending,
                   "exit 1 when a migration is pending, 3 when one is failed, edited or missing");
  status->callback([&, options] { exit_code = run_status(globals, *options); });

  auto* verify = migrate->add_subcommand(
      "verify", "check applied migrations against their files (exit 3 on mismatch)");
  verify->callback([&] { exit_code = run_verify(globals); });

  add_migrate_repair_command(*migrate, globals, exit_code);
  add_migrate_baseline_command(*migrate, globals, exit_code);
  add_migrate_new_command(*migrate, globals, exit_code);
  add_migrate_diff_command(*migrate, globals, exit_code);
}

} // namespace preflight::cli
