#pragma once
// A stable share of a fleet for one of n runners (a CI matrix job, a GitLab `parallel:` node, a
// Kubernetes Indexed Job pod), so that an existing scheduler splits the fleet and preflight
// needs no scheduler of its own.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace preflight::fleet {

/// Runner `index` of `total`, 1-based (1 ≤ index ≤ total ≤ k_max_shards).
struct Shard {
  std::uint32_t index = 1;
  std::uint32_t total = 1;
  /// "i/n".
  std::string to_string() const;
};

inline constexpr std::uint32_t k_max_shards = 10'000;

/// Parses "i/n"; throws Error(usage) naming `option` unless 1 ≤ i ≤ n ≤ k_max_shards.
Shard parse_shard(std::string_view text, std::string_view option = "--shard");

/// Reads an environment variable ("" and unset both mean unset).
using EnvironmentLookup = std::function<std::optional<std::string>(const std::string&)>;

/// The shard a CI system or Kubernetes assigned, for `--shard auto`, from the first of:
/// PREFLIGHT_SHARD_INDEX (1-based) with PREFLIGHT_SHARD_TOTAL (a GitHub Actions matrix passes
/// them), GitLab's CI_NODE_INDEX with CI_NODE_TOTAL (1-based), Kubernetes' JOB_COMPLETION_INDEX
/// (0-based) with PREFLIGHT_SHARD_TOTAL. Throws Error(usage) naming the variables when none is
/// set or a value is not a number in range.
Shard shard_from_environment(const EnvironmentLookup& lookup);

/// The shard (1-based) that owns target `name` among `total`: rendezvous hashing, so that
/// adding or removing a target moves only that target, and going from n to n+1 runners moves
/// only the targets the new runner takes.
std::uint32_t shard_of(std::string_view name, std::uint32_t total);

/// True if `shard` owns target `name`.
inline bool owns(const Shard& shard, std::string_view name) {
  return shard_of(name, shard.total) == shard.index;
}

} // namespace preflight::fleet
