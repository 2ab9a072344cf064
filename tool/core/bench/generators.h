#pragma once
// Parameter generators for benchmark queries: deterministic for a seed (own PRNG and bounded
// integer sampling, so the same suite and seed give the same parameters on every platform).

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace preflight::bench {

/// Small, fast, portable PRNG (SplitMix64): the standard library's distributions differ
/// between implementations, so preflight does its own sampling on top of this.
class Random {
public:
  explicit Random(std::uint64_t seed) : m_state(seed) {}
  /// The next 64 random bits.
  std::uint64_t next();
  /// Uniform integer in [0, bound) (bound > 0), without modulo bias.
  std::uint64_t below(std::uint64_t bound);
  /// Uniform double in [0, 1).
  double unit();

private:
  std::uint64_t m_state;
};

struct IntRange {
  std::int64_t min = 0;
  std::int64_t max = 0; // inclusive
};

/// Zipf over [min, max]: value min + k - 1 has probability ∝ 1 / k^exponent (min most often).
struct Zipf {
  std::int64_t min = 0;
  std::int64_t max = 0;
  double exponent = 1.0;
};

struct Choice {
  std::vector<std::string> values;
};

/// Values read once from the loaded dataset by a query, then chosen uniformly.
struct Sample {
  std::string sql;
};

using GeneratorSpec = std::variant<IntRange, Zipf, Choice, Sample>;

/// max − min for min <= max, without overflow: the number of values in [min, max] minus one.
std::uint64_t range_width(std::int64_t min, std::int64_t max);

/// "int 1..10000", "zipf 1..10000 s=1.1", "choice of 3", "sample: SELECT …".
std::string describe(const GeneratorSpec& spec);

/// Largest zipf range supported (the cumulative table is kept in memory).
inline constexpr std::uint64_t k_max_zipf_range = 10'000'000;

/// Draws values for one parameter. Sample specs must be resolved (with_values) first.
class Generator {
public:
  /// Throws Error(internal) for an unresolved Sample or an empty/invalid range.
  explicit Generator(const GeneratorSpec& spec);
  /// The next value as PostgreSQL text input.
  std::string next(Random& random) const;

private:
  GeneratorSpec m_spec;
  std::vector<double> m_zipf_cdf; // cumulative, normalised to 1
};

/// A Choice with the values a Sample query returned.
GeneratorSpec with_values(std::vector<std::string> values);

/// One parameter list per call, from a seed: the same seed gives the same sequence, so the
/// before and after phases of a query see identical parameters.
class ParamStream {
public:
  ParamStream(const std::vector<GeneratorSpec>& specs, std::uint64_t seed);
  /// The next parameter list ($1…$n).
  std::vector<std::string> next();

private:
  std::vector<Generator> m_generators;
  Random m_random;
};

/// A stable seed per query: the suite seed mixed with the query's name.
std::uint64_t query_seed(std::uint64_t suite_seed, const std::string& query_name);

} // namespace preflight::bench
