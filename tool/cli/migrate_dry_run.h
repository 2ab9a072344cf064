#pragma once
// `migrate up|down --dry-run[=transaction|copy|auto]`: picks where the dry run happens before
// anything runs — in one rolled-back transaction on the target, or committed migration by
// migration on a throwaway copy of it — and says which and why.

#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/migrate/dry_run_plan.h"
#include "core/migrate/history.h"
#include "io/migrate/history_table.h"
#include "io/pg/database_copy.h"
#include "io/pg/pg_session.h"

namespace preflight::cli {

struct DryRunRequest {
  migrate::DryRunMode mode = migrate::DryRunMode::automatic;
  bool with_data = false;
  bool down = false;
  migrate::UpOptions up;
  migrate::DownOptions down_options;
  migrate::HistorySetting history; // which table says what is applied
  bool json = false;               // print nothing: the choice goes into the JSON document
};

/// Where the dry run happens: on `target` (no copy), or on the copy's session.
struct DryRunSetup {
  migrate::DryRunMode mode = migrate::DryRunMode::transaction;
  std::unique_ptr<pg::DatabaseCopy> copy; // destroyed (dropped) last
  std::unique_ptr<pg::PgSession> session; // on the copy
  nlohmann::json description;             // the "dry_run" member of the JSON output
};

/// Estimates the plan's locks, chooses the mode, prints the choice (text output), and for copy
/// mode makes the copy; throws Error(connection) when a copy is needed and cannot be made.
DryRunSetup prepare_dry_run(pg::PgSession& target, const migrate::MigrationSet& files,
                            const DryRunRequest& request);

} // namespace preflight::cli
