#pragma once
// `migrate diff` end to end: the version the live database records, the expected schema built by
// applying the migrations up to it on a throwaway cluster (through the Migrator, so every layout
// preflight reads works), both catalogs read, compared. The live side is only read: its session
// is set to default_transaction_read_only and its catalog read in a READ ONLY transaction.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/drift/compare.h"
#include "core/drift/render.h"
#include "core/migrate/migration_set.h"
#include "io/cluster/throwaway_cluster.h"
#include "io/migrate/history_table.h"
#include "io/pg/pg_session.h"

namespace preflight::drift {

struct DriftRequest {
  /// Where the live database records its history (preflight's _sqlx_migrations or the layout's
  /// tool's own table); the expected database records it the same way.
  migrate::HistorySetting history;
  std::optional<std::int64_t> to; // default: the newest version the live history records
  /// A fleet's schema target: the live session's search_path starts with this schema, the
  /// expected database applies the migrations the same way, and only objects in it are compared.
  std::string schema;
  CompareOptions compare;
  cluster::ClusterOptions cluster;
};

struct DriftResult {
  std::vector<Difference> differences;
  DriftSummary summary;
  DriftTimings timings;
  std::vector<std::string> warnings; // e.g. a pending migration older than the recorded version
};

/// Checks `to` against the files before anything starts: Error(usage) unless it is 0 or the
/// version of a migration in `files`.
void check_target_version(const migrate::MigrationSet& files, std::optional<std::int64_t> to);

/// Runs the comparison for the database of `live`. Throws Error(history) when the live history
/// does not match the files (edited, missing or failed migrations: the expected schema would be
/// another), Error(input) when a migration fails on the throwaway cluster, Error(usage) for a
/// bad `to`, Error(connection) when a server goes away. `progress` (may be empty) gets one line
/// per step.
DriftResult run_drift(pg::PgSession& live, const migrate::MigrationSet& files,
                      const DriftRequest& request,
                      const std::function<void(const std::string&)>& progress = {});

} // namespace preflight::drift
