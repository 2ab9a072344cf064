// Documented claims: parsing the checklist's forms and what a measurement says about them.

#include <gtest/gtest.h>

#include "core/bench/claim.h"

using namespace preflight;
using namespace preflight::bench;

namespace {

stats::Summary p50(double value) {
  stats::Summary s;
  s.p50 = value;
  return s;
}

TEST(Claim, ParsesTheChecklistForms) {
  auto c = parse_claim("50-100ms → 2-5ms, 10-50x ↓; 20% ↓, 3x, faster somehow");
  ASSERT_EQ(c.parts.size(), 4U);
  EXPECT_EQ(c.parts[0].kind, ClaimPart::Kind::latency);
  EXPECT_EQ(c.parts[0].before_ms.low, 50);
  EXPECT_EQ(c.parts[0].before_ms.high, 100);
  EXPECT_EQ(c.parts[0].after_ms.low, 2);
  EXPECT_EQ(c.parts[0].after_ms.high, 5);
  EXPECT_EQ(c.parts[1].kind, ClaimPart::Kind::factor);
  EXPECT_EQ(c.parts[1].factor.low, 10);
  EXPECT_EQ(c.parts[1].factor.high, 50);
  EXPECT_EQ(c.parts[2].kind, ClaimPart::Kind::reduction);
  EXPECT_DOUBLE_EQ(c.parts[2].reduction, 0.2);
  EXPECT_EQ(c.parts[3].factor.low, 3);
  ASSERT_EQ(c.unparsed.size(), 1U);
  EXPECT_EQ(c.unparsed[0], "faster somehow");
  EXPECT_EQ(parse_claim("10 ms -> 8 ms").parts.at(0).after_ms.high, 8);
}

TEST(Claim, FactorIsBorneOutOnlyWhenTheWholeIntervalReachesIt) {
  auto c = parse_claim("10-50x");
  auto borne = check_claim(c, "q", p50(40), p50(0.1), {400, 380, 420});
  ASSERT_EQ(borne.size(), 1U);
  EXPECT_TRUE(borne[0].passed);
  EXPECT_TRUE(borne[0].informational);
  EXPECT_EQ(borne[0].kind, "claim");
  EXPECT_EQ(borne[0].expected, "10-50x faster (ratio ≥ 10x)");
  EXPECT_EQ(borne[0].actual, "borne out: measured 400.00x (95% CI 380.00-420.00x)");
  auto not_borne = check_claim(c, "q", p50(0.3), p50(0.1), {3.2, 3.1, 3.3});
  EXPECT_FALSE(not_borne[0].passed);
  EXPECT_EQ(not_borne[0].actual, "not borne out: measured 3.20x (95% CI 3.10-3.30x)");
  auto unclear = check_claim(c, "q", p50(1), p50(0.1), {10.5, 9, 12});
  EXPECT_EQ(unclear[0].actual, "inconclusive: measured 10.50x (95% CI 9.00-12.00x)");
}

TEST(Claim, PercentReductionIsARatio) {
  // 20 % lower latency = before / after ≥ 1.25.
  auto c = parse_claim("20%");
  auto v = check_claim(c, "q", p50(0.077), p50(0.111), {0.7, 0.67, 0.73});
  EXPECT_EQ(v[0].expected, "latency 20% lower (ratio ≥ 1.25x)");
  EXPECT_EQ(v[0].actual, "not borne out: measured 0.70x (95% CI 0.67-0.73x), i.e. 43% higher");
  auto ok = check_claim(c, "q", p50(10), p50(5), {2, 1.9, 2.1});
  EXPECT_TRUE(ok[0].passed);
  EXPECT_EQ(ok[0].actual, "borne out: measured 2.00x (95% CI 1.90-2.10x), i.e. 50% lower");
}

TEST(Claim, AbsoluteLatenciesAreOnlyCompared) {
  auto c = parse_claim("50-100ms → 2-5ms");
  auto v = check_claim(c, "Get Active Session", p50(0.348), p50(0.108), {3.2, 3.1, 3.3});
  EXPECT_FALSE(v[0].passed);
  EXPECT_EQ(v[0].name, "claim 50-100ms → 2-5ms");
  EXPECT_EQ(v[0].expected, "50-100 ms → 2-5 ms (documented, other machine and data)");
  EXPECT_EQ(v[0].actual, "not borne out here: measured p50 0.348 ms → 0.108 ms");
  auto in = check_claim(c, "q", p50(60), p50(3), {20, 19, 21});
  EXPECT_TRUE(in[0].passed);
  EXPECT_EQ(in[0].actual, "consistent: measured p50 60.0 ms → 3.0 ms");
}

} // namespace
