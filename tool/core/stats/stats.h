#pragma once
// Statistics for latency samples: summaries with percentiles, a bootstrap confidence interval
// for the ratio of two medians, and the Mann-Whitney U rank test.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace preflight::stats {

struct Summary {
  std::size_t count = 0;
  double min = 0;
  double max = 0;
  double mean = 0;
  double stddev = 0; // sample standard deviation (n - 1)
  double p50 = 0;
  double p95 = 0;
  double p99 = 0;
};

/// The `q`-quantile (0..1) of sorted samples, linearly interpolated (Hyndman-Fan type 7, as
/// numpy's default); 0 for no samples.
double quantile_sorted(std::span<const double> sorted, double q);

/// Median of unsorted samples (copies them).
double median(std::span<const double> samples);

/// Count, min, max, mean, stddev and p50/p95/p99 of `samples` (any order).
Summary summarize(std::span<const double> samples);

struct Interval {
  double estimate = 0;
  double low = 0;
  double high = 0;
};

/// median(numerator) / median(denominator) with a percentile-bootstrap confidence interval
/// (`confidence`, e.g. 0.95) from `resamples` resamples, deterministic for a given `seed`.
/// Large inputs are resampled from at most `max_points` evenly spaced order statistics.
Interval bootstrap_ratio_of_medians(std::span<const double> numerator,
                                    std::span<const double> denominator, double confidence = 0.95,
                                    int resamples = 2000, std::uint64_t seed = 1,
                                    std::size_t max_points = 5000);

struct RankTest {
  double u = 0;       // U statistic of the first sample
  double z = 0;       // normal approximation (tie- and continuity-corrected)
  double p_value = 1; // two-sided
};

/// Mann-Whitney U test of `a` against `b` (two-sided, normal approximation with tie correction;
/// p = 1 when either sample is empty or all values are tied).
RankTest mann_whitney_u(std::span<const double> a, std::span<const double> b);

} // namespace preflight::stats
