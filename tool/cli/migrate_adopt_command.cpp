// `preflight migrate adopt`: converts the history of the folder's own tool (golang-migrate,
// goose, dbmate, Flyway, diesel) into preflight's _sqlx_migrations, printing what matched, what
// is applied there but missing here, and what cannot be mapped as it is.

#include <CLI/CLI.hpp>

#include <fmt/format.h>

#include "cli/migrate_history.h"
#include "cli/migrate_subcommands.h"
#include "cli/output.h"
#include "io/migrate/adopt_history.h"

namespace preflight::cli {

namespace {

struct AdoptOptions {
  bool dry_run = false;
  bool force = false;
  double lock_wait_seconds = -1;
};

int run_adopt(GlobalOptions& globals, const AdoptOptions& options) {
  CommandContext context(globals, MigrationFiles::names_and_bytes); // validate before connecting
  auto cx = context.connect("preflight migrate adopt");
  migrate::AdoptRequest request;
  request.history = history_setting(context, cx);
  const double wait = options.lock_wait_seconds >= 0
                          ? options.lock_wait_seconds
                          : context.config().lock_wait_seconds.value_or(60);
  request.lock_wait = std::chrono::milliseconds(static_cast<std::int64_t>(wait * 1000));
  request.on_wait = [](const std::string& holder) {
    print_warning("waiting for the migration lock held by " +
                  (holder.empty() ? "another session" : holder));
  };
  request.force = options.force;
  request.dry_run = options.dry_run;
  const auto result = migrate::adopt_history(*cx.session, context.files(), request);

  // The plan first, always: what matched, what is missing here, what cannot be mapped.
  const std::string from = migrate::describe_history(result.from);
  std::string text =
      fmt::format("{} against the files of {}:\n", from, context.config().migrations);
  std::size_t recorded = 0;
  for (const auto& entry : result.plan.entries) {
    text += "  " + migrate::describe(entry) + "\n";
    recorded += entry.recorded ? 1U : 0U;
  }
  print_line(text.substr(0, text.size() - 1));

  if (result.plan.blocking > 0 && !options.force) {
    throw Error(ErrorKind::history,
                fmt::format("migrate adopt stopped: {} entr{} of {} cannot be converted as {} "
                            "(listed above); nothing was changed",
                            result.plan.blocking, result.plan.blocking == 1 ? "y" : "ies", from,
                            result.plan.blocking == 1 ? "it is" : "they are"),
                "restore missing files and fix failed migrations with the tool first, or pass "
                "--force: failed ones are recorded as failed (`preflight migrate repair` after a "
                "fix by hand), edited ones with the checksum of the file as it is now, and "
                "missing ones are left out");
  }
  const std::string table = request.history.sqlx_table;
  if (options.dry_run) {
    print_line(fmt::format("Dry run: {} migration{} would be recorded in {}; nothing was changed.",
                           recorded, recorded == 1 ? "" : "s", table));
  } else {
    print_line(fmt::format("Adopted: {} migration{} recorded in {}; {} is left as it was, and "
                           "preflight now uses {} (unless history = \"native\").",
                           recorded, recorded == 1 ? "" : "s", table, from, table));
  }
  return 0;
}

} // namespace

void add_migrate_adopt_command(CLI::App& migrate, GlobalOptions& globals, int& exit_code) {
  auto options = std::make_shared<AdoptOptions>();
  auto* adopt = migrate.add_subcommand(
      "adopt", "convert the history of the folder's own tool (golang-migrate, goose, dbmate, "
               "Flyway, diesel) into preflight's _sqlx_migrations");
  adopt->add_flag("--dry-run", options->dry_run, "print the plan; change nothing");
  adopt->add_flag("--force", options->force,
                  "convert even with failed, edited or missing migrations (failed ones recorded "
                  "as failed, edited ones with the current checksum, missing ones left out)");
  add_lock_wait_option(*adopt, options->lock_wait_seconds);
  adopt->callback([&, options] { exit_code = run_adopt(globals, *options); });
}

} // namespace preflight::cli
