#include "core/bench/generators.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/error.h"

namespace preflight::bench {

std::uint64_t Random::next() {
  // SplitMix64 (Steele, Lea, Flood 2014): passes BigCrush, one add and three mixes per value.
  std::uint64_t z = (m_state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t Random::below(std::uint64_t bound) {
  // Rejection of the short last block keeps every value equally likely.
  const std::uint64_t limit = ~std::uint64_t{0} - (~std::uint64_t{0} % bound);
  std::uint64_t x = next();
  while (x >= limit) x = next();
  return x % bound;
}

double Random::unit() {
  return static_cast<double>(next() >> 11) * 0x1.0p-53;
}

std::uint64_t range_width(std::int64_t min, std::int64_t max) {
  // Unsigned arithmetic wraps where signed would overflow: [INT64_MIN, INT64_MAX] is 2^64 − 1.
  return static_cast<std::uint64_t>(max) - static_cast<std::uint64_t>(min);
}

std::string describe(const GeneratorSpec& spec) {
  struct Visitor {
    std::string operator()(const IntRange& g) const {
      return fmt::format("int {}..{}", g.min, g.max);
    }
    std::string operator()(const Zipf& g) const {
      return fmt::format("zipf {}..{} s={}", g.min, g.max, g.exponent);
    }
    std::string operator()(const Choice& g) const {
      return fmt::format("choice of {}", g.values.size());
    }
    std::string operator()(const Sample& g) const { return "sample: " + g.sql; }
  };
  return std::visit(Visitor{}, spec);
}

Generator::Generator(const GeneratorSpec& spec) : m_spec(spec) {
  if (std::holds_alternative<Sample>(spec)) {
    throw Error(ErrorKind::internal, "a sample generator must be resolved before use");
  }
  if (const auto* c = std::get_if<Choice>(&spec); c && c->values.empty()) {
    throw Error(ErrorKind::internal, "a choice generator needs at least one value");
  }
  if (const auto* z = std::get_if<Zipf>(&spec)) {
    if (z->min > z->max || range_width(z->min, z->max) >= k_max_zipf_range)
      throw Error(ErrorKind::internal, "zipf range out of bounds");
    m_zipf_cdf.resize(static_cast<std::size_t>(range_width(z->min, z->max)) + 1);
    double total = 0;
    for (std::size_t k = 0; k < m_zipf_cdf.size(); ++k) {
      total += 1.0 / std::pow(static_cast<double>(k + 1), z->exponent);
      m_zipf_cdf[k] = total;
    }
    for (auto& c : m_zipf_cdf) c /= total;
  }
}

std::string Generator::next(Random& random) const {
  if (const auto* r = std::get_if<IntRange>(&m_spec)) {
    const std::uint64_t width = range_width(r->min, r->max);
    // The full int64 range has 2^64 values: every 64-bit draw is one of them.
    const std::uint64_t offset =
        width == ~std::uint64_t{0} ? random.next() : random.below(width + 1);
    return std::to_string(static_cast<std::int64_t>(static_cast<std::uint64_t>(r->min) + offset));
  }
  if (const auto* z = std::get_if<Zipf>(&m_spec)) {
    const double u = random.unit();
    auto it = std::upper_bound(m_zipf_cdf.begin(), m_zipf_cdf.end(), u);
    if (it == m_zipf_cdf.end()) --it; // u rounding just below 1
    return std::to_string(z->min + (it - m_zipf_cdf.begin()));
  }
  const auto& values = std::get<Choice>(m_spec).values;
  return values[static_cast<std::size_t>(random.below(values.size()))];
}

GeneratorSpec with_values(std::vector<std::string> values) {
  return Choice{std::move(values)};
}

ParamStream::ParamStream(const std::vector<GeneratorSpec>& specs, std::uint64_t seed)
    : m_random(seed) {
  m_generators.reserve(specs.size());
  for (const auto& spec : specs) m_generators.emplace_back(spec);
}

std::vector<std::string> ParamStream::next() {
  std::vector<std::string> values;
  values.reserve(m_generators.size());
  for (const auto& g : m_generators) values.push_back(g.next(m_random));
  return values;
}

std::uint64_t query_seed(std::uint64_t suite_seed, const std::string& query_name) {
  // FNV-1a of the name, so that reordering queries in the file does not change their parameters.
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : query_name) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return suite_seed ^ h;
}

} // namespace preflight::bench
