// The last pure step of `bench run` (statistics and verdicts), the results document's round
// trip, and the Google Benchmark shape.

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "core/bench/evaluate.h"
#include "core/bench/gbench.h"
#include "core/bench/results.h"
#include "core/bench/suite.h"
#include "support/case_files.h"

using namespace preflight;
using namespace preflight::bench;
using namespace preflight::testing;

namespace {

Suite one_query_suite() {
  return parse_suite(R"(
migrations = "m"
before = 1
after = 2
[[queries]]
name = "Get Active Session"
sql = "SELECT 1"
claim = "10-50x"
improvement = 3
[queries.before]
p95_ms = 1
[queries.after]
index_backed = "focus_sessions"
no_seq_scan = ["focus_sessions"]
p50_ms = 0.2
)",
                     "s.toml");
}

Results measured(double before_ms, double after_ms, const std::string& after_plan) {
  Results r;
  r.suite_name = "s";
  r.environment.server_version = "15.18";
  auto& q = r.queries.emplace_back();
  q.name = "Get Active Session";
  q.claim = "10-50x";
  for (const auto& [name, ms, plan] : {std::tuple{"before", before_ms, std::string("seq_scan")},
                                       std::tuple{"after", after_ms, after_plan}}) {
    auto& p = q.phases.emplace_back();
    p.phase = name;
    for (int i = 0; i < 200; ++i) p.samples_ms.push_back(ms * (1 + (i % 10) * 0.01));
    p.explain = nlohmann::json::parse(read_text(case_path("explain", plan + ".json")));
  }
  return r;
}

std::string verdict_lines(const Results& r) {
  std::string out;
  for (const auto& v : r.verdicts) {
    out += v.phase + " " + v.kind + " " + v.name + ": " + (v.passed ? "pass" : "fail") +
           (v.informational ? " (informational)" : "") + "\n";
  }
  return out;
}

TEST(Evaluate, PassingRunHasEveryVerdict) {
  auto r = measured(0.5, 0.1, "active_session_after");
  evaluate(one_query_suite(), r);
  EXPECT_EQ(verdict_lines(r), "before latency p95_ms: pass\n"
                              "after plan index_backed focus_sessions: pass\n"
                              "after plan no_seq_scan focus_sessions: pass\n"
                              "after latency p50_ms: pass\n"
                              " improvement improvement: pass\n"
                              " claim claim 10-50x: fail (informational)\n");
  EXPECT_TRUE(r.passed()); // the claim is informational
  ASSERT_TRUE(r.queries[0].improvement);
  EXPECT_NEAR(r.queries[0].improvement->estimate, 5.0, 1e-9);
  EXPECT_EQ(r.queries[0].phases[1].summary.count, 200U);
}

TEST(Evaluate, SeqScanAfterAndSmallImprovementFail) {
  auto r = measured(0.5, 0.4, "parallel_seq_scan");
  evaluate(one_query_suite(), r);
  EXPECT_FALSE(r.passed());
  EXPECT_EQ(verdict_lines(r), "before latency p95_ms: pass\n"
                              "after plan index_backed focus_sessions: fail\n"
                              "after plan no_seq_scan focus_sessions: fail\n"
                              "after latency p50_ms: fail\n"
                              " improvement improvement: fail\n"
                              " claim claim 10-50x: fail (informational)\n");
  EXPECT_EQ(r.verdicts[2].actual, "Seq Scan on: focus_sessions");
  EXPECT_EQ(r.verdicts[3].expected, "<= 0.200 ms");
}

TEST(Evaluate, ALimitBelowAThousandthOfAMillisecondKeepsItsDigits) {
  auto suite = parse_suite(R"(
migrations = "m"
before = 1
after = 2
[[queries]]
name = "Get Active Session"
sql = "SELECT 1"
[queries.after]
p50_ms = 0.000001
)",
                           "s.toml");
  auto r = measured(0.5, 0.1, "index_scan");
  evaluate(suite, r);
  const auto latency = std::find_if(r.verdicts.begin(), r.verdicts.end(),
                                    [](const Verdict& v) { return v.kind == "latency"; });
  ASSERT_NE(latency, r.verdicts.end());
  EXPECT_EQ(latency->expected, "<= 1e-06 ms");
  EXPECT_FALSE(latency->passed);
}

TEST(Results, RoundTripKeepsEverything) {
  auto r = measured(0.5, 0.1, "index_scan");
  preflight::migrate::LockTrace trace;
  trace.statements.emplace_back().text = "CREATE INDEX x";
  r.migration = MigrationStep{3, "mid003", "ab", 123, trace};
  r.environment.settings["fsync"] = "off";
  r.environment.cpu_wakeup_held = false;
  r.environment.cpu_wakeup_note = "/dev/cpu_dma_latency: Permission denied";
  r.side_by_side = true;
  r.side_by_side_one_cpu = false;
  r.side_by_side_one_cpu_note = "the server is not reached over a unix socket";
  evaluate(one_query_suite(), r);
  auto back = results_from_json(to_json(r));
  EXPECT_EQ(to_json(back), to_json(r));
  EXPECT_EQ(back.environment.cpu_wakeup_held, std::optional<bool>(false));
  EXPECT_EQ(back.side_by_side_one_cpu, std::optional<bool>(false));
  EXPECT_EQ(back.side_by_side_one_cpu_note, "the server is not reached over a unix socket");
  EXPECT_TRUE(back.verdicts.back().informational);
}

TEST(Results, AFileFromBeforeTheCpuWakeupFieldsReadsAsNotRecorded) {
  auto document = to_json(measured(0.5, 0.1, "index_scan"));
  document["environment"].erase("cpu_wakeup_held");
  document["environment"].erase("cpu_wakeup_note");
  auto back = results_from_json(document);
  EXPECT_FALSE(back.environment.cpu_wakeup_held.has_value());
  EXPECT_EQ(to_json(back)["environment"]["cpu_wakeup_held"], nullptr);
}

// A results file that no run can produce is refused at the JSON path of the problem, instead of
// being compared (an empty baseline read as 0 ms, duplicate names matched to the wrong row).
TEST(Results, ImpossibleFilesAreRefusedAtTheJsonPath) {
  const auto good = to_json(measured(0.5, 0.1, "index_scan"));
  auto error_for = [&](const std::function<void(nlohmann::json&)>& spoil) {
    auto document = good;
    spoil(document);
    try {
      results_from_json(document);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::input);
      return e.message();
    }
    return std::string("accepted");
  };
  auto& phase0 = good["queries"][0]["phases"][0];
  ASSERT_FALSE(phase0["samples_ms"].empty());
  EXPECT_EQ(error_for([](auto& d) {
              d["queries"][0]["phases"][0]["samples_ms"] = nlohmann::json::array();
            }),
            "results file: $.queries[0].phases[0].samples_ms must be a non-empty array (a "
            "measured phase)");
  EXPECT_EQ(error_for([](auto& d) { d["queries"][0]["phases"][0]["samples_ms"][2] = -0.1; }),
            "results file: $.queries[0].phases[0].samples_ms[2] must be a positive number of "
            "milliseconds");
  EXPECT_EQ(error_for([](auto& d) {
              for (auto& x : d["queries"][0]["phases"][1]["samples_ms"]) x = 0.0;
            }),
            "results file: $.queries[0].phases[1].samples_ms[0] must be a positive number of "
            "milliseconds");
  EXPECT_EQ(error_for([](auto& d) { d["queries"].push_back(d["queries"][0]); }),
            "results file: $.queries[1].name must be unique (another query has it)");
  EXPECT_EQ(
      error_for([](auto& d) { d["queries"][0]["phases"].push_back(d["queries"][0]["phases"][0]); }),
      "results file: $.queries[0].phases[2].phase must be unique in its query (another "
      "phase has it)");
  EXPECT_EQ(error_for([](auto& d) { d["queries"][0]["min_effect"] = -1; }),
            "results file: $.queries[0].min_effect must be a positive fraction (0.1 = 10 %) or "
            "null");
  EXPECT_EQ(error_for([](auto& d) { d["suite"]["scale"] = 0; }),
            "results file: $.suite.scale must be a positive number");
  EXPECT_EQ(error_for([](auto&) {}), "accepted");
}

TEST(Gbench, OneRunAndThreeAggregatesPerQueryAndPhase) {
  auto r = measured(0.5, 0.1, "index_scan");
  evaluate(one_query_suite(), r);
  auto g = to_gbench_json(r);
  ASSERT_EQ(g["benchmarks"].size(), 8U);
  const auto& run = g["benchmarks"][4];
  EXPECT_EQ(run["name"], "Get Active Session/after");
  EXPECT_EQ(run["run_type"], "iteration");
  EXPECT_EQ(run["time_unit"], "us");
  EXPECT_DOUBLE_EQ(run["real_time"].get<double>(), 1000 * r.queries[0].phases[1].summary.p50);
  EXPECT_DOUBLE_EQ(run["p95_us"].get<double>(), 1000 * r.queries[0].phases[1].summary.p95);
  EXPECT_EQ(run["iterations"], 200);
  EXPECT_EQ(g["benchmarks"][6]["name"], "Get Active Session/after_median");
  EXPECT_EQ(g["benchmarks"][6]["aggregate_name"], "median");
  EXPECT_EQ(g["benchmarks"][6]["run_type"], "aggregate");
  EXPECT_DOUBLE_EQ(g["benchmarks"][5]["real_time"].get<double>(),
                   1000 * r.queries[0].phases[1].summary.mean);
  EXPECT_TRUE(g["context"].contains("num_cpus"));
}

} // namespace
