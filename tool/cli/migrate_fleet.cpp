// `migrate up|down|status|verify` over a fleet: the same work as on one database, once per
// target, each with its own connection, history, lock and timeouts, its lines prefixed by the
// target's name.

#include <utility>

#include <fmt/format.h>

#include "cli/migrate_history.h"
#include "cli/migrate_subcommands.h"
#include "cli/output.h"

namespace preflight::cli {

namespace {

std::optional<std::int64_t> newest_applied(const std::vector<migrate::AppliedMigration>& history) {
  std::optional<std::int64_t> newest;
  for (const auto& row : history) {
    if (row.success && (!newest || row.version > *newest)) newest = row.version;
  }
  return newest;
}

// The version as the layout's tool writes it, when that is not the number.
std::string text_of(const migrate::MigrationSet& files,
                    const std::optional<std::int64_t>& version) {
  if (!version) return {};
  const auto* m = files.find(*version);
  return m ? m->version_text : std::string();
}

std::string plural(std::size_t n, const char* word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

fleet::TargetOutcome up_or_down(const CommandContext& context, const MigrateOptions& options,
                                migrate::Direction direction, const config::TargetSpec& target) {
  auto cx = context.connect(target, "preflight migrate");
  auto settings = migrator_options(context.config(), options);
  settings.history_table = cx.history_table;
  settings.layout = context.layout();
  const bool dry_run = !options.dry_run_mode.empty();
  // Each target picks its own dry-run mode (its lock table and size decide), quietly: the
  // summary line says which.
  DryRunSetup dry;
  if (dry_run) {
    dry = prepare_dry_run(*cx.session, context.files(),
                          dry_run_request(options, direction, history_setting(context, cx), true));
    if (dry.copy) {
      settings.dry_run = false;
      settings.on_copy = true;
      // A schema target's migrations run in its schema on the copy too.
      if (!target.schema.empty()) {
        dry.session->exec(
            fmt::format("SET search_path TO {}, public", dry.session->quote_name(target.schema)));
      }
    }
  }
  const bool on_copy = dry.copy != nullptr;
  migrate::Migrator migrator(on_copy ? *dry.session : *cx.session, settings);
  // Targets sharing a database (schemas) take turns on its lock: say so only when it lasts.
  bool first_wait = true;
  migrator.on_lock_wait([&](const std::string& holder) {
    if (!std::exchange(first_wait, false)) {
      FleetLog::err(target.name, "waiting for the migration lock held by " +
                                     (holder.empty() ? "another session" : holder));
    }
  });
  const bool text = options.format == "text" || options.format == "github";
  migrator.on_step([&](const migrate::StepReport& step) {
    if (!text) return;
    for (const auto& line : step_lines(step)) FleetLog::out(target.name, line);
  });
  fleet::TargetOutcome outcome;
  outcome.from_version = newest_applied(migrator.history());
  migrate::RunReport report =
      direction == migrate::Direction::up
          ? migrator.up(context.files(), {options.to, options.allow_out_of_order})
          : migrator.down(context.files(), {options.steps, options.to});
  outcome.to_version = dry_run ? outcome.from_version : newest_applied(migrator.history());
  outcome.from_text = text_of(context.files(), outcome.from_version);
  outcome.to_text = text_of(context.files(), outcome.to_version);
  const bool failed = report.failure() != nullptr;
  outcome.changed = report.steps.size() - (failed ? 1 : 0);
  if (auto error = run_failure(report, dry_run, on_copy, direction)) {
    outcome.result = fleet::TargetResult::failed;
    outcome.summary = error->message();
    outcome.detail = fleet::describe_error(*error);
    return outcome;
  }
  outcome.result = fleet::TargetResult::ok;
  const char* verb = direction == migrate::Direction::up ? "applied" : "reverted";
  if (report.steps.empty()) {
    outcome.summary = direction == migrate::Direction::up ? "up to date" : "nothing to revert";
  } else if (dry_run) {
    outcome.summary = plural(report.steps.size(), "migration") +
                      (on_copy ? " checked (dry run on a copy)" : " checked (dry run)");
  } else {
    outcome.summary = fmt::format("{} {}", verb, plural(report.steps.size(), "migration"));
  }
  return outcome;
}

fleet::TargetOutcome status_or_verify(const CommandContext& context, bool verify,
                                      const config::TargetSpec& target) {
  auto cx =
      context.connect(target, verify ? "preflight migrate verify" : "preflight migrate status");
  auto store = migrate::open_history_table(*cx.session, history_setting(context, cx));
  store->pin_schema();
  const auto history = store->list(context.files());
  const auto status = migrate::compute_status(context.files(), history);
  const auto repeatables = migrate::repeatable_status(context.files(), store->repeatable_runs());
  fleet::TargetOutcome outcome;
  outcome.from_version = outcome.to_version = newest_applied(history);
  outcome.from_text = outcome.to_text = text_of(context.files(), outcome.from_version);
  auto problems = migrate::history_problems(status);
  for (auto& p : migrate::repeatable_problems(repeatables)) problems.push_back(std::move(p));
  if (!problems.empty()) {
    const Error error = Error::combine(std::move(problems));
    outcome.result = fleet::TargetResult::history_mismatch;
    outcome.summary =
        error.headline() +
        (error.more().empty() ? "" : fmt::format(" (and {} more)", error.more().size()));
    outcome.detail = fleet::describe_error(error);
    return outcome;
  }
  std::size_t applied = migrate::count_in(repeatables, migrate::RepeatableState::applied);
  outcome.changed = migrate::count_in(repeatables, migrate::RepeatableState::pending) +
                    migrate::count_in(repeatables, migrate::RepeatableState::outdated);
  for (const auto& e : status) {
    applied += e.applied ? 1U : 0U;
    if (e.state == migrate::MigrationState::pending ||
        e.state == migrate::MigrationState::pending_out_of_order) {
      ++outcome.changed;
    }
  }
  outcome.result = fleet::TargetResult::ok;
  if (verify) {
    outcome.summary = applied == 1
                          ? std::string("1 applied migration matches its file")
                          : fmt::format("{} applied migrations match their files", applied);
  } else {
    outcome.summary = outcome.changed == 0 ? std::string("up to date")
                                           : fmt::format("{} pending", outcome.changed);
  }
  return outcome;
}

} // namespace

int run_migrate_fleet(const CommandContext& context, const GlobalOptions& globals,
                      const MigrateOptions& options, MigrateAction action) {
  if (options.trace.enabled) {
    throw Error(ErrorKind::usage, "--trace-locks takes one database, not a fleet",
                "trace one representative target with --database-url");
  }
  static const char* const k_names[] = {"migrate up", "migrate down", "migrate status",
                                        "migrate verify"};
  const std::string command = k_names[static_cast<int>(action)];
  fleet::TargetJob job = [&](const config::TargetSpec& target) {
    switch (action) {
    case MigrateAction::up: return up_or_down(context, options, migrate::Direction::up, target);
    case MigrateAction::down: return up_or_down(context, options, migrate::Direction::down, target);
    case MigrateAction::status: return status_or_verify(context, false, target);
    case MigrateAction::verify: return status_or_verify(context, true, target);
    }
    return fleet::TargetOutcome{};
  };
  auto report = run_fleet(context, globals, options.fleet, command, job);
  print_fleet_report(report, options.format);
  if (action != MigrateAction::status || options.exit_code_on_pending) print_fleet_failures(report);
  if (action == MigrateAction::status) {
    // As on one database: status is a report; --exit-code makes pending (1) and history
    // problems (3) fail it. A target that could not be read fails it either way.
    const bool unread = report.count(fleet::TargetResult::failed) > 0 ||
                        report.count(fleet::TargetResult::skipped) > 0;
    if (!options.exit_code_on_pending) return unread ? 1 : 0;
    if (report.count(fleet::TargetResult::history_mismatch) > 0) return 3;
    for (const auto& t : report.targets) {
      if (t.changed > 0) return 1;
    }
    return unread ? 1 : 0;
  }
  return fleet::exit_code(report);
}

} // namespace preflight::cli
