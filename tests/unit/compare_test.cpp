// The CI gate's decisions. Cases are folders under tests/cases/compare/: baseline.json,
// current.json, optional `options` ("alpha = 0.05", "min_effect = 0.05", "allow_plan_change =
// true") and `expected`, the whole text a user reads. Then --confirm with a fake re-measure, and
// a deterministic simulation of the gate's error rates.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>

#include "core/bench/compare.h"
#include "core/report/compare_report.h"
#include "support/case_files.h"

using namespace preflight;
using preflight::testing::read_text;

namespace {

bench::Results load(const std::filesystem::path& path) {
  return bench::results_from_json(nlohmann::json::parse(read_text(path)));
}

bench::CompareOptions read_options(const std::filesystem::path& path) {
  bench::CompareOptions options;
  std::istringstream in(read_text(path));
  std::string key, equals, value;
  while (in >> key >> equals >> value) {
    if (key == "alpha")
      options.alpha = std::stod(value);
    else if (key == "min_effect")
      options.min_effect = std::stod(value);
    else if (key == "allow_plan_change")
      options.allow_plan_change = value == "true";
    else
      ADD_FAILURE() << "unknown option " << key << " in " << path;
  }
  return options;
}

class CompareCase : public ::testing::TestWithParam<std::string> {};

TEST_P(CompareCase, ReportsWhatAUserShouldRead) {
  const auto dir = preflight::testing::case_path("compare", GetParam());
  auto options = read_options(dir / "options");
  auto comparison =
      bench::compare_results(load(dir / "baseline.json"), load(dir / "current.json"), options);
  EXPECT_EQ(report::compare_text(comparison, options), read_text(dir / "expected"));
}

INSTANTIATE_TEST_SUITE_P(Cases, CompareCase,
                         ::testing::ValuesIn(preflight::testing::case_names("compare")),
                         preflight::testing::CaseName());

TEST(Compare, ShiftedSamplesAreARegressionWithTheRightRatio) {
  const auto dir = preflight::testing::case_path("compare", "shifted_30_percent");
  auto comparison =
      bench::compare_results(load(dir / "baseline.json"), load(dir / "current.json"), {});
  ASSERT_EQ(comparison.rows.size(), 2U);
  EXPECT_EQ(comparison.rows[0].change, bench::Change::regression);
  EXPECT_NEAR(comparison.rows[0].ratio.estimate, 1.3, 1e-3);
  EXPECT_LT(comparison.rows[0].ratio.low, 1.3);
  EXPECT_GT(comparison.rows[0].ratio.high, 1.3);
  EXPECT_EQ(comparison.rows[1].change, bench::Change::no_change);
  EXPECT_TRUE(comparison.failed());
}

TEST(Compare, EnvironmentDifferencesWarnUnlessStrict) {
  bench::Results baseline;
  baseline.environment.host_name = "ci-1";
  baseline.environment.cpus = 4;
  baseline.seed = 1;
  bench::Results current = baseline;
  EXPECT_EQ(bench::check_environment(baseline, current, true).differences,
            std::vector<std::string>{});
  EXPECT_FALSE(bench::check_environment(baseline, current, true).fatal);

  current.environment.host_name = "laptop";
  current.seed = 2;
  const std::vector<std::string> expected{
      "host differs: ci-1 (baseline) vs laptop (current)",
      "seed differs: 1 (baseline) vs 2 (current)",
  };
  auto lenient = bench::check_environment(baseline, current, false);
  EXPECT_EQ(lenient.differences, expected);
  EXPECT_FALSE(lenient.fatal);
  auto strict = bench::check_environment(baseline, current, true);
  EXPECT_EQ(strict.differences, expected);
  EXPECT_TRUE(strict.fatal);
}

TEST(Compare, FlagMinEffectOverridesTheQuerysOwn) {
  const auto dir = preflight::testing::case_path("compare", "per_query_min_effect");
  auto base = load(dir / "baseline.json");
  auto current = load(dir / "current.json");
  EXPECT_FALSE(bench::compare_results(base, current, {}).failed()); // the query allows 50 %
  bench::CompareOptions options;
  options.min_effect = 0.2;
  EXPECT_TRUE(bench::compare_results(base, current, options).failed());
}

// --confirm: a fake re-measure returns prepared current sample sets, one per call, beside the
// baseline's own samples as the fresh baseline, and counts calls.
struct FakeRemeasure {
  std::vector<double> baseline;
  std::vector<std::vector<double>> runs;
  std::vector<std::string> calls;
  bench::Remeasure function() {
    return [this](const std::string& query, const std::string& phase) {
      calls.push_back(query + "/" + phase);
      return bench::Remeasured{baseline, runs.at((calls.size() - 1) % runs.size()), ""};
    };
  }
};

std::vector<double> scaled(const std::vector<double>& samples, double factor) {
  std::vector<double> out;
  for (double x : samples) out.push_back(x * factor);
  return out;
}

class Confirm : public ::testing::Test {
protected:
  void SetUp() override {
    const auto dir = preflight::testing::case_path("compare", "shifted_30_percent");
    m_baseline = load(dir / "baseline.json");
    m_comparison = bench::compare_results(m_baseline, load(dir / "current.json"), {});
    m_base_samples = m_baseline.find_query("Get Active Session")->find_phase("after")->samples_ms;
  }
  const bench::Finding& regression_finding() const {
    for (const auto& f : m_comparison.findings) {
      if (f.kind == "regression") return f;
    }
    throw std::runtime_error("no regression finding");
  }

  bench::Results m_baseline;
  bench::Comparison m_comparison;
  std::vector<double> m_base_samples;
};

TEST_F(Confirm, RegressionThatHoldsInEveryReRunStaysAnError) {
  FakeRemeasure fake{m_base_samples, {scaled(m_base_samples, 1.3)}, {}};
  bench::confirm_regressions(m_comparison, fake.function(), 3, {});
  EXPECT_EQ(fake.calls,
            (std::vector<std::string>{"Get Active Session/after", "Get Active Session/after",
                                      "Get Active Session/after"}));
  EXPECT_TRUE(m_comparison.failed());
  EXPECT_EQ(m_comparison.rows[0].confirmation,
            "held in 3 of 3 side-by-side re-runs, median change +30.0 %");
  EXPECT_EQ(regression_finding().severity, bench::Severity::error);
}

TEST_F(Confirm, RegressionThatVanishesOnReRunOnlyWarns) {
  FakeRemeasure fake{m_base_samples, {m_base_samples}, {}};
  bench::confirm_regressions(m_comparison, fake.function(), 3, {});
  EXPECT_FALSE(m_comparison.failed());
  EXPECT_EQ(m_comparison.rows[0].change, bench::Change::no_change);
  EXPECT_EQ(m_comparison.rows[0].confirmation,
            "not confirmed: held in 0 of 3 side-by-side re-runs, median change +0.0 %");
  EXPECT_EQ(regression_finding().severity, bench::Severity::warning);
  EXPECT_NE(regression_finding().message.find(
                "(not confirmed: held in 0 of 3 side-by-side re-runs, median change +0.0 %)"),
            std::string::npos);
}

// The machine slowed down since the baseline was measured: the fresh baseline, timed beside the
// fresh current, is as slow as the current, so the stored baseline's speed no longer counts.
TEST_F(Confirm, ASlowdownOfTheMachineItselfIsNotConfirmed) {
  FakeRemeasure drift{scaled(m_base_samples, 1.3), {scaled(m_base_samples, 1.3)}, {}};
  bench::confirm_regressions(m_comparison, drift.function(), 3, {});
  EXPECT_FALSE(m_comparison.failed());
  EXPECT_EQ(m_comparison.rows[0].confirmation,
            "not confirmed: held in 0 of 3 side-by-side re-runs, median change +0.0 %");
}

TEST_F(Confirm, AStrictMajorityOfReRunsDecides) {
  FakeRemeasure two_of_three{
      m_base_samples,
      {scaled(m_base_samples, 1.3), m_base_samples, scaled(m_base_samples, 1.3)},
      {}};
  bench::confirm_regressions(m_comparison, two_of_three.function(), 3, {});
  EXPECT_TRUE(m_comparison.failed());
  EXPECT_EQ(m_comparison.rows[0].confirmation,
            "held in 2 of 3 side-by-side re-runs, median change +30.0 %");

  SetUp();
  FakeRemeasure one_of_two{m_base_samples, {scaled(m_base_samples, 1.3), m_base_samples}, {}};
  bench::confirm_regressions(m_comparison, one_of_two.function(), 2, {});
  EXPECT_FALSE(m_comparison.failed());
  EXPECT_EQ(m_comparison.rows[0].confirmation,
            "not confirmed: held in 1 of 2 side-by-side re-runs, median change +30.0 %");
}

// Side by side on two CPUs, a difference between the CPUs counts as one between the sides: the
// verdict says how many re-runs that was, and why.
TEST_F(Confirm, ReRunsOnDifferentCpusAreNamedBesideTheVerdict) {
  int call = 0;
  auto apart_once = [&](const std::string&, const std::string&) {
    return bench::Remeasured{m_base_samples, scaled(m_base_samples, 1.3),
                             call++ == 1 ? "the server is not reached over a unix socket" : ""};
  };
  bench::confirm_regressions(m_comparison, apart_once, 3, {});
  EXPECT_EQ(m_comparison.rows[0].confirmation,
            "held in 3 of 3 side-by-side re-runs, median change +30.0 %; in 1 of them the sides "
            "did not share one CPU (the server is not reached over a unix socket)");
  EXPECT_NE(regression_finding().message.find("did not share one CPU"), std::string::npos);
}

TEST_F(Confirm, NothingIsReMeasuredWithoutARegression) {
  const auto dir = preflight::testing::case_path("compare", "noise_only");
  auto comparison = bench::compare_results(m_baseline, load(dir / "current.json"), {});
  FakeRemeasure fake{m_base_samples, {m_base_samples}, {}};
  bench::confirm_regressions(comparison, fake.function(), 5, {});
  EXPECT_TRUE(fake.calls.empty());
}

// --confirm-all: a slowdown the stored samples did not show (the machine was faster during the
// current run) is found side by side and fails the gate.
TEST_F(Confirm, EveryRowScopeFindsARegressionTheStoredSamplesHid) {
  const auto dir = preflight::testing::case_path("compare", "noise_only");
  auto comparison = bench::compare_results(m_baseline, load(dir / "current.json"), {});
  ASSERT_FALSE(comparison.failed());
  FakeRemeasure fake{m_base_samples, {scaled(m_base_samples, 1.3)}, {}};
  bench::confirm_regressions(comparison, fake.function(), 3, {}, bench::ConfirmScope::all_rows);
  EXPECT_TRUE(comparison.failed());
  EXPECT_EQ(comparison.rows[0].change, bench::Change::regression);
  EXPECT_EQ(
      comparison.rows[0].confirmation,
      "found side by side: a regression in 3 of 3 side-by-side re-runs, median change +30.0 %");
  const auto found = std::find_if(comparison.findings.begin(), comparison.findings.end(),
                                  [](const bench::Finding& f) { return f.kind == "regression"; });
  ASSERT_NE(found, comparison.findings.end());
  EXPECT_EQ(found->severity, bench::Severity::error);
  EXPECT_NE(found->message.find("(+30.0 %, 99 % CI"), std::string::npos) << found->message;
  EXPECT_NE(found->message.find("(found side by side: a regression in 3 of 3"), std::string::npos)
      << found->message;
}

TEST_F(Confirm, EveryRowScopeLeavesARowThatIsFineSideBySideAlone) {
  const auto dir = preflight::testing::case_path("compare", "noise_only");
  auto comparison = bench::compare_results(m_baseline, load(dir / "current.json"), {});
  FakeRemeasure fake{m_base_samples, {m_base_samples}, {}};
  bench::confirm_regressions(comparison, fake.function(), 3, {}, bench::ConfirmScope::all_rows);
  EXPECT_FALSE(comparison.failed());
  EXPECT_EQ(comparison.rows[0].confirmation,
            "checked: a regression in 0 of 3 side-by-side re-runs, median change +0.0 %");
  EXPECT_EQ(fake.calls.size(), 3U * comparison.rows.size());
}

// A sanity check of the statistics, not the calibration (that is benchmarks/calibration.sh, on
// real measurements): latencies drawn from one lognormal distribution, fixed seed.
bench::Results lognormal_results(std::mt19937_64& rng, double scale, std::size_t n) {
  std::lognormal_distribution<double> latency(std::log(2.0), 0.4);
  bench::PhaseResult phase;
  phase.phase = "after";
  for (std::size_t i = 0; i < n; ++i) phase.samples_ms.push_back(latency(rng) * scale);
  bench::QueryResult query;
  query.name = "q";
  query.phases.push_back(phase);
  bench::Results results;
  results.queries.push_back(query);
  return results;
}

TEST(CompareSimulation, AAFalseAlarmsStayUnderOnePercentAndA30PercentSlowdownIsFound) {
  std::mt19937_64 rng(20260117);
  bench::CompareOptions options;
  options.bootstrap_resamples = 200; // the decision uses the point ratio and the rank test
  const int trials = 200;
  int false_alarms = 0;
  int detected = 0;
  for (int i = 0; i < trials; ++i) {
    auto base = lognormal_results(rng, 1.0, 200);
    false_alarms +=
        bench::compare_results(base, lognormal_results(rng, 1.0, 200), options).failed() ? 1 : 0;
    detected +=
        bench::compare_results(base, lognormal_results(rng, 1.3, 200), options).failed() ? 1 : 0;
  }
  EXPECT_LE(false_alarms, trials / 100) << false_alarms << " false alarms in " << trials;
  EXPECT_GE(detected, trials * 95 / 100) << detected << " detected in " << trials;
  std::cout << "simulation: " << false_alarms << "/" << trials << " A/A false alarms, " << detected
            << "/" << trials << " 1.3x slowdowns detected\n";
}

} // namespace
