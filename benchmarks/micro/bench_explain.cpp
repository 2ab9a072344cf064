// EXPLAIN JSON parsing and plan assertions, on a captured PostgreSQL 15 plan and on a large
// synthetic one (a plan node per partition).

#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>

#include "core/plan/plan.h"

namespace {

std::string captured_plan() {
  std::ifstream in(std::string(PREFLIGHT_SOURCE_DIR) + "/tests/cases/explain/nested_loop.json");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string wide_plan(int children) {
  std::string plans;
  for (int i = 0; i < children; ++i) {
    plans +=
        (i ? "," : "") + std::string(R"({"Node Type": "Index Scan", "Relation Name": "p)") +
        std::to_string(i) +
        R"(", "Index Name": "p_idx", "Actual Loops": 1, "Actual Total Time": 0.01, "Shared Hit Blocks": 3})";
  }
  return R"([{"Plan": {"Node Type": "Append", "Plans": [)" + plans +
         R"(]}, "Execution Time": 1.0}])";
}

void BM_ParseExplain(benchmark::State& state, const std::string& text) {
  for (auto _ : state)
    benchmark::DoNotOptimize(preflight::plan::parse_explain(std::string_view(text)));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}
BENCHMARK_CAPTURE(BM_ParseExplain, nested_loop_captured, captured_plan());
BENCHMARK_CAPTURE(BM_ParseExplain, append_1000_children, wide_plan(1000));

void BM_CheckPlan(benchmark::State& state) {
  auto plan = preflight::plan::parse_explain(std::string_view(wide_plan(1000)));
  preflight::plan::PlanExpectation expectation;
  expectation.index_backed = "p999";
  expectation.no_seq_scan = {"p1"};
  for (auto _ : state) benchmark::DoNotOptimize(preflight::plan::check_plan(plan, expectation));
}
BENCHMARK(BM_CheckPlan);

} // namespace
