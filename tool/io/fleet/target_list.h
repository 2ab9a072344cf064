#pragma once
// Resolves the targets of a fleet run: `--targets FILE`, `--targets-query SQL` (database names
// from one server) or `[[target]]` in preflight.toml; then the runner's shard of them.

#include <optional>
#include <string>
#include <vector>

#include "core/config/config.h"
#include "core/fleet/shard.h"
#include "io/pg/database_target.h"

namespace preflight::fleet {

/// The most targets one run takes: a fleet run is bounded like every run.
inline constexpr std::size_t k_max_targets = 10'000;

struct TargetSource {
  std::optional<std::string> file;  // --targets FILE
  std::optional<std::string> query; // --targets-query SQL, run on `server`
  pg::TargetRequest server;         // --database-url etc., for --targets-query
};

/// True if `source` or `config` names a fleet (a file, a query, or [[target]] entries).
bool names_a_fleet(const TargetSource& source, const config::Config& config);

/// The fleet, every URL resolved (url_env read) and checked by libpq's parser. Throws
/// Error(usage) for --targets with --targets-query, Error(input) at file:line for every bad
/// entry (unset url_env, bad URL, duplicate names, an empty list, more than k_max_targets), and
/// the query's errors (Error(problem), or Error(connection) for its server).
std::vector<config::TargetSpec> resolve_targets(const TargetSource& source,
                                                const config::Config& config,
                                                const std::string& config_path);

/// The targets `shard` owns, in their order.
std::vector<config::TargetSpec> shard_targets(std::vector<config::TargetSpec> targets,
                                              const Shard& shard);

/// `conninfo` (URL or keyword string) as a keyword string naming database `database`; throws
/// Error(usage) if libpq cannot parse it (its message without passwords).
std::string conninfo_for_database(const std::string& conninfo, const std::string& database);

} // namespace preflight::fleet
