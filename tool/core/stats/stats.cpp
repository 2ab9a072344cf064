#include "core/stats/stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace preflight::stats {

double quantile_sorted(std::span<const double> sorted, double q) {
  if (sorted.empty()) return 0;
  q = std::clamp(q, 0.0, 1.0);
  const double h = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const auto hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

double median(std::span<const double> samples) {
  std::vector<double> sorted(samples.begin(), samples.end());
  std::sort(sorted.begin(), sorted.end());
  return quantile_sorted(sorted, 0.5);
}

Summary summarize(std::span<const double> samples) {
  Summary s;
  s.count = samples.size();
  if (samples.empty()) return s;
  std::vector<double> sorted(samples.begin(), samples.end());
  std::sort(sorted.begin(), sorted.end());
  s.min = sorted.front();
  s.max = sorted.back();
  s.mean = std::accumulate(sorted.begin(), sorted.end(), 0.0) / static_cast<double>(s.count);
  if (s.count > 1) {
    double squares = 0;
    for (double x : sorted) squares += (x - s.mean) * (x - s.mean);
    s.stddev = std::sqrt(squares / static_cast<double>(s.count - 1));
  }
  s.p50 = quantile_sorted(sorted, 0.50);
  s.p95 = quantile_sorted(sorted, 0.95);
  s.p99 = quantile_sorted(sorted, 0.99);
  return s;
}

namespace {

// Evenly spaced order statistics keep the distribution's shape while bounding bootstrap cost.
std::vector<double> thin(std::span<const double> samples, std::size_t max_points) {
  std::vector<double> sorted(samples.begin(), samples.end());
  std::sort(sorted.begin(), sorted.end());
  if (sorted.size() <= max_points) return sorted;
  std::vector<double> out(max_points);
  for (std::size_t i = 0; i < max_points; ++i) {
    out[i] =
        quantile_sorted(sorted, (static_cast<double>(i) + 0.5) / static_cast<double>(max_points));
  }
  return out;
}

double resampled_median(const std::vector<double>& data, std::mt19937_64& rng,
                        std::vector<double>& scratch) {
  std::uniform_int_distribution<std::size_t> pick(0, data.size() - 1);
  scratch.resize(data.size());
  for (auto& x : scratch) x = data[pick(rng)];
  auto mid = scratch.begin() + static_cast<std::ptrdiff_t>(scratch.size() / 2);
  std::nth_element(scratch.begin(), mid, scratch.end());
  double upper = *mid;
  if (scratch.size() % 2 == 1) return upper;
  double lower = *std::max_element(scratch.begin(), mid);
  return (lower + upper) / 2;
}

} // namespace

Interval bootstrap_ratio_of_medians(std::span<const double> numerator,
                                    std::span<const double> denominator, double confidence,
                                    int resamples, std::uint64_t seed, std::size_t max_points) {
  Interval interval;
  if (numerator.empty() || denominator.empty()) return interval;
  const double den = median(denominator);
  interval.estimate = den == 0 ? 0 : median(numerator) / den;
  auto a = thin(numerator, max_points);
  auto b = thin(denominator, max_points);
  std::mt19937_64 rng(seed);
  std::vector<double> ratios;
  ratios.reserve(static_cast<std::size_t>(std::max(resamples, 1)));
  std::vector<double> scratch;
  for (int i = 0; i < resamples; ++i) {
    double ma = resampled_median(a, rng, scratch);
    double mb = resampled_median(b, rng, scratch);
    if (mb > 0) ratios.push_back(ma / mb);
  }
  if (ratios.empty()) {
    interval.low = interval.high = interval.estimate;
    return interval;
  }
  std::sort(ratios.begin(), ratios.end());
  const double tail = (1 - confidence) / 2;
  interval.low = quantile_sorted(ratios, tail);
  interval.high = quantile_sorted(ratios, 1 - tail);
  return interval;
}

RankTest mann_whitney_u(std::span<const double> a, std::span<const double> b) {
  RankTest test;
  const auto n1 = static_cast<double>(a.size());
  const auto n2 = static_cast<double>(b.size());
  if (a.empty() || b.empty()) return test;

  struct Value {
    double x;
    bool from_a;
  };
  std::vector<Value> all;
  all.reserve(a.size() + b.size());
  for (double x : a) all.push_back({x, true});
  for (double x : b) all.push_back({x, false});
  std::sort(all.begin(), all.end(), [](const Value& l, const Value& r) { return l.x < r.x; });

  // Average ranks for ties; the tie term corrects the variance.
  double rank_sum_a = 0;
  double tie_term = 0;
  for (std::size_t i = 0; i < all.size();) {
    std::size_t j = i;
    while (j < all.size() && all[j].x == all[i].x) ++j;
    const double average_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    const auto tied = static_cast<double>(j - i);
    tie_term += tied * tied * tied - tied;
    for (std::size_t k = i; k < j; ++k) {
      if (all[k].from_a) rank_sum_a += average_rank;
    }
    i = j;
  }
  const double n = n1 + n2;
  test.u = rank_sum_a - n1 * (n1 + 1) / 2;
  const double mean_u = n1 * n2 / 2;
  const double variance = n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1)));
  if (variance <= 0) return test;
  const double diff = test.u - mean_u;
  const double corrected = std::max(std::abs(diff) - 0.5, 0.0);
  test.z = (diff < 0 ? -corrected : corrected) / std::sqrt(variance);
  test.p_value = std::erfc(std::abs(test.z) / std::sqrt(2.0));
  return test;
}

} // namespace preflight::stats
