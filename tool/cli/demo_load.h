#pragma once
// `preflight demo`, migration under traffic: 0003 as written and its CONCURRENTLY variant, each
// applied while the checklist's operations run as traffic, and the checklist's availability
// claims set against what the traffic measured.

#include "core/config/config.h"
#include "io/pg/database_target.h"

namespace preflight::cli {

/// Runs benchmarks/load/focus_sessions.toml and focus_sessions_concurrently.toml on fresh
/// databases of the demo's cluster, prints what the traffic measured for each checklist claim,
/// and writes reports/demo/load_as_written.json, load_concurrently.json and load.md.
void run_load_comparison(const pg::DatabaseTarget& target, const config::Config& config);

} // namespace preflight::cli
