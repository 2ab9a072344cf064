#include "core/fleet/shard.h"

#include <charconv>

#include <fmt/format.h>

#include "core/error.h"

namespace preflight::fleet {

namespace {

std::optional<std::uint64_t> parse_number(std::string_view text) {
  std::uint64_t value = 0;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

// FNV-1a, 64 bits, then a final mix (splitmix64's) so that names differing in one character
// spread over all shards: fixed forever, since shard membership must not change between runs.
std::uint64_t hash(std::string_view text, std::uint32_t salt) {
  std::uint64_t h = 14695981039346656037ULL;
  for (int i = 0; i < 4; ++i) {
    h ^= (salt >> (8 * i)) & 0xffU;
    h *= 1099511628211ULL;
  }
  for (char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return h;
}

Shard checked(std::uint64_t index, std::uint64_t total, const std::string& source,
              const std::string& hint) {
  if (total < 1 || total > k_max_shards || index < 1 || index > total) {
    throw Error(ErrorKind::usage,
                fmt::format("{}: shard {}/{} is not a shard (1 ≤ i ≤ n ≤ {})", source, index, total,
                            k_max_shards),
                hint);
  }
  return Shard{static_cast<std::uint32_t>(index), static_cast<std::uint32_t>(total)};
}

} // namespace

std::string Shard::to_string() const {
  return fmt::format("{}/{}", index, total);
}

Shard parse_shard(std::string_view text, std::string_view option) {
  const auto slash = text.find('/');
  const std::string hint = "write --shard i/n with 1 ≤ i ≤ n, e.g. --shard 2/4, or --shard auto";
  auto index = slash == std::string_view::npos ? std::nullopt : parse_number(text.substr(0, slash));
  auto total =
      slash == std::string_view::npos ? std::nullopt : parse_number(text.substr(slash + 1));
  if (!index || !total) {
    throw Error(ErrorKind::usage, fmt::format("{} {}: not i/n", option, text), hint);
  }
  return checked(*index, *total, fmt::format("{} {}", option, text), hint);
}

Shard shard_from_environment(const EnvironmentLookup& lookup) {
  const auto number = [&](const std::string& name) -> std::optional<std::uint64_t> {
    auto value = lookup(name);
    if (!value) return std::nullopt;
    auto parsed = parse_number(*value);
    if (!parsed) {
      throw Error(ErrorKind::usage,
                  fmt::format("--shard auto: {}={} is not a whole number", name, *value));
    }
    return parsed;
  };
  const std::string hint =
      "GitHub Actions: pass PREFLIGHT_SHARD_INDEX (1-based) and PREFLIGHT_SHARD_TOTAL from the "
      "matrix; GitLab `parallel:` sets CI_NODE_INDEX and CI_NODE_TOTAL; a Kubernetes Indexed Job "
      "sets JOB_COMPLETION_INDEX: pass its completions as PREFLIGHT_SHARD_TOTAL";
  const auto total_of = [&](const std::string& index_name) {
    auto total = number("PREFLIGHT_SHARD_TOTAL");
    if (!total) {
      throw Error(
          ErrorKind::usage,
          fmt::format("--shard auto: {} is set but PREFLIGHT_SHARD_TOTAL is not", index_name),
          hint);
    }
    return *total;
  };
  if (auto index = number("PREFLIGHT_SHARD_INDEX")) {
    return checked(*index, total_of("PREFLIGHT_SHARD_INDEX"),
                   "--shard auto (PREFLIGHT_SHARD_INDEX, PREFLIGHT_SHARD_TOTAL)", hint);
  }
  if (auto index = number("CI_NODE_INDEX")) {
    auto total = number("CI_NODE_TOTAL");
    if (!total) {
      throw Error(ErrorKind::usage, "--shard auto: CI_NODE_INDEX is set but CI_NODE_TOTAL is not",
                  hint);
    }
    return checked(*index, *total, "--shard auto (CI_NODE_INDEX, CI_NODE_TOTAL)", hint);
  }
  if (auto index = number("JOB_COMPLETION_INDEX")) {
    return checked(*index + 1, total_of("JOB_COMPLETION_INDEX"),
                   "--shard auto (JOB_COMPLETION_INDEX + 1, PREFLIGHT_SHARD_TOTAL)", hint);
  }
  throw Error(ErrorKind::usage,
              "--shard auto: no shard in the environment (PREFLIGHT_SHARD_INDEX, CI_NODE_INDEX "
              "or JOB_COMPLETION_INDEX)",
              hint);
}

std::uint32_t shard_of(std::string_view name, std::uint32_t total) {
  std::uint32_t best = 1;
  std::uint64_t best_score = 0;
  for (std::uint32_t shard = 1; shard <= total; ++shard) {
    const std::uint64_t score = hash(name, shard);
    if (shard == 1 || score > best_score) {
      best = shard;
      best_score = score;
    }
  }
  return best;
}

} // namespace preflight::fleet
