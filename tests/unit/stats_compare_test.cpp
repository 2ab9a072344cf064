// The statistics the CI gate stands on, against values computed by hand from the textbook
// formulas (rank sums, tie-corrected variance, continuity correction; scipy.stats.mannwhitneyu
// with method="asymptotic" gives the same p-values).

#include <gtest/gtest.h>

#include <vector>

#include "core/stats/stats.h"

using namespace preflight;

namespace {

TEST(MannWhitneyU, SeparatedSamplesWithoutTies) {
  // Ranks of a: 1, 2, 3 → R = 6, U = 6 - 3·4/2 = 0; mean 4.5, variance 3·3/12·7 = 5.25;
  // z = -(4.5 - 0.5)/√5.25 = -1.74574; p = erfc(1.74574/√2) = 0.080856.
  std::vector<double> a{1, 2, 3};
  std::vector<double> b{4, 5, 6};
  auto test = stats::mann_whitney_u(a, b);
  EXPECT_DOUBLE_EQ(test.u, 0);
  EXPECT_NEAR(test.z, -1.7457431, 1e-6);
  EXPECT_NEAR(test.p_value, 0.0808556, 1e-6);
  auto reversed = stats::mann_whitney_u(b, a);
  EXPECT_DOUBLE_EQ(reversed.u, 9);
  EXPECT_NEAR(reversed.p_value, test.p_value, 1e-12);
}

TEST(MannWhitneyU, TiesGetAverageRanksAndCorrectTheVariance) {
  // Sorted: 1a 2a 2a 2b 3a 3b 4b 5b → ranks 1, 3, 3, 3, 5.5, 5.5, 7, 8; R(a) = 12.5, U = 2.5.
  // Ties: one group of 3 and one of 2 → Σ(t³ - t) = 24 + 6 = 30;
  // variance = 16/12 · (9 - 30/56) = 11.285714; z = -(5.5 - 0.5)/√11.285714 = -1.488351;
  // p = 0.136658.
  std::vector<double> a{1, 2, 2, 3};
  std::vector<double> b{2, 3, 4, 5};
  auto test = stats::mann_whitney_u(a, b);
  EXPECT_DOUBLE_EQ(test.u, 2.5);
  EXPECT_NEAR(test.z, -1.4883514, 1e-6);
  EXPECT_NEAR(test.p_value, 0.1366582, 1e-6);
}

TEST(MannWhitneyU, NoEvidenceWhenEverythingTiesOrASideIsEmpty) {
  std::vector<double> same{1, 1, 1};
  EXPECT_DOUBLE_EQ(stats::mann_whitney_u(same, same).p_value, 1);
  std::vector<double> none;
  EXPECT_DOUBLE_EQ(stats::mann_whitney_u(none, same).p_value, 1);
}

TEST(MannWhitneyU, IdenticalSamplesAreNotSignificant) {
  std::vector<double> a{1.2, 0.9, 1.4, 1.1, 1.0, 1.3};
  auto test = stats::mann_whitney_u(a, a);
  EXPECT_DOUBLE_EQ(test.u, 18); // n1·n2/2
  EXPECT_DOUBLE_EQ(test.p_value, 1);
}

TEST(BootstrapRatioOfMedians, ConstantSamplesGiveAPointInterval) {
  std::vector<double> num{2, 2, 2};
  std::vector<double> den{1, 1, 1};
  auto interval = stats::bootstrap_ratio_of_medians(num, den);
  EXPECT_DOUBLE_EQ(interval.estimate, 2);
  EXPECT_DOUBLE_EQ(interval.low, 2);
  EXPECT_DOUBLE_EQ(interval.high, 2);
}

TEST(BootstrapRatioOfMedians, IntervalSpansTheResampledMedians) {
  // A resampled median of {1, 2, 3} is 1 with probability 7/27 and 3 with probability 7/27, so
  // the 2.5 % and 97.5 % quantiles of 2000 resamples are exactly 1 and 3.
  std::vector<double> num{1, 2, 3};
  std::vector<double> den{1};
  auto interval = stats::bootstrap_ratio_of_medians(num, den, 0.95, 2000, 7);
  EXPECT_DOUBLE_EQ(interval.estimate, 2);
  EXPECT_DOUBLE_EQ(interval.low, 1);
  EXPECT_DOUBLE_EQ(interval.high, 3);
}

TEST(BootstrapRatioOfMedians, ScaledSamplesGiveTheScaleAndAreDeterministicPerSeed) {
  std::vector<double> base{0.9, 1.0, 1.1, 1.2, 0.95, 1.05, 1.15, 0.85, 1.0, 1.3, 0.8};
  std::vector<double> slow;
  for (double x : base) slow.push_back(x * 1.3);
  auto a = stats::bootstrap_ratio_of_medians(slow, base, 0.99, 2000, 3);
  auto b = stats::bootstrap_ratio_of_medians(slow, base, 0.99, 2000, 3);
  EXPECT_NEAR(a.estimate, 1.3, 1e-12);
  EXPECT_LT(a.low, 1.3);
  EXPECT_GT(a.high, 1.3);
  EXPECT_DOUBLE_EQ(a.low, b.low);
  EXPECT_DOUBLE_EQ(a.high, b.high);
}

TEST(Quantile, InterpolatesLinearlyBetweenOrderStatistics) {
  std::vector<double> sorted{1, 2, 3, 4};
  EXPECT_DOUBLE_EQ(stats::quantile_sorted(sorted, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(stats::quantile_sorted(sorted, 0.95), 3.85); // h = 2.85 → 3 + 0.85·(4 - 3)
  EXPECT_DOUBLE_EQ(stats::quantile_sorted(sorted, 0), 1);
  EXPECT_DOUBLE_EQ(stats::quantile_sorted(sorted, 1), 4);
}

} // namespace
