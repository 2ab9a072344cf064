#pragma once
// `migrate adopt`: reads another tool's history table and writes the equivalent rows into
// preflight's _sqlx_migrations in one transaction, under preflight's lock and the tool's.

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "core/migrate/adopt.h"
#include "io/migrate/history_table.h"
#include "io/pg/pg_session.h"

namespace preflight::migrate {

struct AdoptRequest {
  HistorySetting history; // sqlx_table is where rows go; layout names the tool
  std::chrono::milliseconds lock_wait{60'000};
  std::function<void(const std::string& holder)> on_wait;
  bool force = false;
  bool dry_run = false;
};

struct AdoptResult {
  HistoryKind from = HistoryKind::sqlx;
  std::vector<StatusEntry> status; // the tool's history against the files
  AdoptPlan plan;                  // points into status
  bool written = false;            // rows were committed
};

/// Plans the conversion and, unless a dry run or blocked (plan.blocking without force), commits
/// it. Throws Error(usage) for the sqlx layout, Error(input) when the tool's table does not
/// exist, Error(history) when _sqlx_migrations already has rows.
AdoptResult adopt_history(pg::PgSession& session, const MigrationSet& files,
                          const AdoptRequest& request);

} // namespace preflight::migrate
