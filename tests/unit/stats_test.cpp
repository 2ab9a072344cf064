// Statistics against values computed independently (numpy / scipy, by hand).

#include <gtest/gtest.h>

#include <vector>

#include "core/stats/stats.h"

using namespace preflight::stats;

namespace {

TEST(Stats, PercentilesMatchNumpyDefault) {
  // numpy.percentile([1..10], [50, 95, 99]) = 5.5, 9.55, 9.91 (linear, Hyndman-Fan type 7)
  std::vector<double> one_to_ten{10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
  auto s = summarize(one_to_ten);
  EXPECT_EQ(s.count, 10U);
  EXPECT_DOUBLE_EQ(s.p50, 5.5);
  EXPECT_NEAR(s.p95, 9.55, 1e-12);
  EXPECT_NEAR(s.p99, 9.91, 1e-12);
  EXPECT_DOUBLE_EQ(s.mean, 5.5);
  EXPECT_NEAR(s.stddev, 3.0276503540974917, 1e-12); // numpy.std(ddof=1)
  EXPECT_EQ(s.min, 1);
  EXPECT_EQ(s.max, 10);
  // numpy.percentile([15, 20, 35, 40, 50], 95) = 48.0
  std::vector<double> five{15, 20, 35, 40, 50};
  EXPECT_DOUBLE_EQ(summarize(five).p95, 48.0);
}

TEST(Stats, MannWhitneyMatchesScipyAsymptotic) {
  // scipy.stats.mannwhitneyu([1,2,3], [4,5,6], method="asymptotic"): U = 0, p = 0.0808556
  std::vector<double> a{1, 2, 3}, b{4, 5, 6};
  auto t = mann_whitney_u(a, b);
  EXPECT_DOUBLE_EQ(t.u, 0);
  EXPECT_NEAR(t.p_value, 0.0808556, 1e-6);
  // With ties: [1,2,2,3] vs [2,3,4,5]; by hand U = 2.5 (ranks 1, 3, 3, 5.5), tie-corrected p =
  // 0.136658
  std::vector<double> c{1, 2, 2, 3}, d{2, 3, 4, 5};
  auto tied = mann_whitney_u(c, d);
  EXPECT_DOUBLE_EQ(tied.u, 2.5);
  EXPECT_NEAR(tied.p_value, 0.136658, 1e-5);
}

TEST(Stats, BootstrapIntervalContainsTheRatioAndIsDeterministic) {
  std::vector<double> before, after;
  for (int i = 0; i < 500; ++i) {
    before.push_back(10 + (i % 7) * 0.1);
    after.push_back(2 + (i % 5) * 0.05);
  }
  auto r = bootstrap_ratio_of_medians(before, after, 0.95, 1000, 9);
  EXPECT_NEAR(r.estimate, 10.3 / 2.1, 1e-9);
  EXPECT_LE(r.low, r.estimate);
  EXPECT_GE(r.high, r.estimate);
  auto again = bootstrap_ratio_of_medians(before, after, 0.95, 1000, 9);
  EXPECT_EQ(r.low, again.low);
  EXPECT_EQ(r.high, again.high);
}

} // namespace
