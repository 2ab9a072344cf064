// `preflight migrate repair`: makes the history match the files again after a DBA decided so —
// records the checksums of intentionally edited files and removes failed rows once the database
// was fixed by hand. Every change is printed; --dry-run only prints.

#include <CLI/CLI.hpp>

#include <fmt/format.h>

#include "cli/migrate_history.h"
#include "cli/migrate_subcommands.h"
#include "cli/output.h"

namespace preflight::cli {

namespace {

struct RepairOptions {
  bool dry_run = false;
  double lock_wait_seconds = -1;
};

int run_repair(GlobalOptions& globals, const RepairOptions& options) {
  HistoryEdit edit(globals, "preflight migrate repair", options.lock_wait_seconds, options.dry_run);
  const auto& files = edit.files();
  auto& migrator = edit.migrator();
  auto actions = migrator.repair(files);
  for (const auto& action : actions) {
    print_line((options.dry_run ? "would " : "") + migrate::describe(action));
  }
  // Repair never invents history for a vanished file: restoring it is the DBA's decision.
  for (const auto& e : migrate::compute_status(files, migrator.history(files))) {
    if (e.state == migrate::MigrationState::missing_file) {
      print_warning(fmt::format(
          "migration {} ({}) was applied but its file is missing; repair leaves it alone",
          e.shown_version(), e.description));
    }
  }
  if (actions.empty()) {
    print_line("Nothing to repair: no edited file and no failed row in the history.");
  } else if (options.dry_run) {
    print_line(fmt::format("Dry run: {} change{} to the history; nothing was changed.",
                           actions.size(), actions.size() == 1 ? "" : "s"));
  } else {
    print_line(fmt::format("Repaired: {} change{} to the history.", actions.size(),
                           actions.size() == 1 ? "" : "s"));
  }
  return 0;
}

} // namespace

void add_migrate_repair_command(CLI::App& migrate, GlobalOptions& globals, int& exit_code) {
  auto options = std::make_shared<RepairOptions>();
  auto* repair = migrate.add_subcommand(
      "repair",
      "record checksums of edited applied files and remove failed rows (after a fix by hand)");
  repair->add_flag("--dry-run", options->dry_run, "print what would change; change nothing");
  add_lock_wait_option(*repair, options->lock_wait_seconds);
  repair->callback([&, options] { exit_code = run_repair(globals, *options); });
}

} // namespace preflight::cli
