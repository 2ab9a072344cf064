#include "cli/migrate_dry_run.h"

#include <chrono>

#include <fmt/format.h>

#include "cli/output.h"
#include "core/text/text.h"
#include "io/migrate/history_store.h"
#include "io/migrate/lock_space.h"

namespace preflight::cli {

DryRunSetup prepare_dry_run(pg::PgSession& target, const migrate::MigrationSet& files,
                            const DryRunRequest& request) {
  DryRunSetup setup;
  // The plan, as the migrator will compute it: what is pending (or to revert) now.
  auto store = migrate::open_history_table(target, request.history);
  store->pin_schema();
  const auto plan = request.down
                        ? migrate::plan_down(files, store->list(files), request.down_options)
                        : migrate::plan_up_against(*store, files, request.up);
  // Nothing to run: the migrator says so; no copy is worth making.
  if (plan.empty() && request.mode != migrate::DryRunMode::copy) return setup;

  // The estimate, before anything runs.
  const auto estimate = migrate::estimate_locks(plan, request.down);
  const auto dependents = migrate::count_dependent_relations(target, estimate.named);
  const auto locks = estimate.total(dependents);
  const auto space = migrate::read_lock_space(target);
  const auto choice = migrate::choose_dry_run_mode(request.mode, estimate, locks, space);
  setup.mode = choice.mode;
  setup.description = {{"mode", migrate::to_string(choice.mode)},
                       {"reason", choice.reason},
                       {"estimated_locks", locks},
                       {"lock_table_capacity", space.capacity()},
                       {"lock_table_available", space.available()}};
  if (!request.json)
    print_line(
        fmt::format("Dry run mode: {}: {}.", migrate::to_string(choice.mode), choice.reason));
  if (choice.mode != migrate::DryRunMode::copy) return setup;

  // The copy: schema, the history rows (so that it knows what is applied), rows on request.
  pg::DatabaseCopyOptions options;
  options.with_data = request.with_data;
  options.application_name = "preflight migrate (copy)";
  if (store->exists()) options.data_tables.push_back(store->quoted_table());
  const auto feasibility = pg::DatabaseCopy::check(target, options); // before anything is made
  const auto start = std::chrono::steady_clock::now();
  setup.copy = pg::DatabaseCopy::create(target, options);
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start)
          .count();
  setup.session = setup.copy->connect("preflight migrate");
  setup.description["copy"] = setup.copy->describe();
  setup.description["copy_ns"] = elapsed;
  if (!request.json) {
    print_line(fmt::format("Copied the {} to {} in {}; the migrations run there for real, one "
                           "commit each, and the copy is dropped afterwards.",
                           request.with_data             ? "database"
                           : options.data_tables.empty() ? "schema"
                                                         : "schema and the migration history",
                           setup.copy->describe(), text::format_duration_ns(elapsed)));
    for (const auto& note : feasibility.notes) print_warning(note);
  }
  return setup;
}

} // namespace preflight::cli
