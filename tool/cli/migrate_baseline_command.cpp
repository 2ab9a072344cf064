// `preflight migrate baseline V`: takes over a database that was set up without preflight by
// recording every migration up to V as applied, without running it.

#include <CLI/CLI.hpp>

#include <fmt/format.h>

#include "cli/migrate_history.h"
#include "cli/migrate_subcommands.h"
#include "cli/output.h"
#include "core/migrate/version_argument.h"

namespace preflight::cli {

namespace {

struct BaselineOptions {
  std::string version; // as given: the number, or the version as the files write it
  bool dry_run = false;
  double lock_wait_seconds = -1;
};

int run_baseline(GlobalOptions& globals, const BaselineOptions& options) {
  HistoryEdit edit(globals, "preflight migrate baseline", options.lock_wait_seconds,
                   options.dry_run);
  const auto version =
      migrate::version_argument(edit.files(), edit.layout(), options.version, "baseline");
  auto recorded = edit.migrator().baseline(edit.files(), version);
  for (const auto* m : recorded) {
    print_line(fmt::format("{} {:>5} {}", options.dry_run ? "would record" : "record",
                           m->shown_version(), m->description));
  }
  print_line(fmt::format("{}: {} migration{} up to version {} {} as applied without running {}.",
                         options.dry_run ? "Dry run" : "Baseline", recorded.size(),
                         recorded.size() == 1 ? "" : "s", options.version,
                         options.dry_run ? "would be recorded" : "recorded",
                         recorded.size() == 1 ? "it" : "them"));
  return 0;
}

} // namespace

void add_migrate_baseline_command(CLI::App& migrate, GlobalOptions& globals, int& exit_code) {
  auto options = std::make_shared<BaselineOptions>();
  auto* baseline = migrate.add_subcommand(
      "baseline",
      "record every migration up to V as applied without running it (empty history only)");
  baseline->add_option("V", options->version, "the newest migration the database already contains")
      ->required();
  baseline->add_flag("--dry-run", options->dry_run, "print what would be recorded; change nothing");
  add_lock_wait_option(*baseline, options->lock_wait_seconds);
  baseline->callback([&, options] { exit_code = run_baseline(globals, *options); });
}

} // namespace preflight::cli
