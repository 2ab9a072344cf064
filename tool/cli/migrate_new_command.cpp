// `preflight migrate new NAME`: creates the next migration file(s), following the folder's
// versioning (sequential or timestamp) and its layout's naming.

#include <CLI/CLI.hpp>

#include "cli/migrate_subcommands.h"
#include "cli/output.h"
#include "io/migrate/layout_directory.h"
#include "io/migrate/migration_directory.h"
#include "io/utc_time.h"

namespace preflight::cli {

namespace {

struct NewOptions {
  std::string name;
  bool reversible = false;
};

int run_new(GlobalOptions& globals, const NewOptions& options) {
  auto config = globals.load_config();
  // The layout configured, or the one the folder's files show (sqlx for an empty folder).
  const auto folder = migrate::read_new_migration_folder(config.migrations, config.layout);
  auto created = migrate::plan_new_migration(folder.names, options.name, options.reversible,
                                             utc_digits_now(), folder.layout);
  for (const auto& path : migrate::create_migration_files(config.migrations, created))
    print_line("created " + path);
  return 0;
}

} // namespace

void add_migrate_new_command(CLI::App& migrate, GlobalOptions& globals, int& exit_code) {
  auto options = std::make_shared<NewOptions>();
  auto* create =
      migrate.add_subcommand("new", "create the next migration file (NAME sanitised to [a-z0-9_])");
  create->add_option("NAME", options->name, "what the migration does, e.g. add_users_email_index")
      ->required();
  create->add_flag("--reversible", options->reversible,
                   "sqlx: create a .up.sql and .down.sql pair; Flyway: an undo (U) file too "
                   "(golang-migrate and diesel always get a down file, goose and dbmate hold "
                   "both directions in one)");
  create->callback([&, options] { exit_code = run_new(globals, *options); });
}

} // namespace preflight::cli
