// Statistics over a large run: what `bench run` does after sampling, at 1,000,000 samples.

#include <benchmark/benchmark.h>

#include <vector>

#include "core/bench/generators.h"
#include "core/stats/stats.h"

namespace {

std::vector<double> latencies(std::size_t n, std::uint64_t seed, double scale) {
  preflight::bench::Random random(seed);
  std::vector<double> samples(n);
  // Log-normal-ish: a floor plus a long tail, like real latencies.
  for (auto& s : samples) s = scale * (0.05 + random.unit() * random.unit() * random.unit());
  return samples;
}

void BM_Summarize(benchmark::State& state) {
  auto samples = latencies(static_cast<std::size_t>(state.range(0)), 1, 1.0);
  for (auto _ : state) benchmark::DoNotOptimize(preflight::stats::summarize(samples));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Summarize)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

void BM_BootstrapRatioOfMedians(benchmark::State& state) {
  auto before = latencies(static_cast<std::size_t>(state.range(0)), 1, 10.0);
  auto after = latencies(static_cast<std::size_t>(state.range(0)), 2, 1.0);
  for (auto _ : state)
    benchmark::DoNotOptimize(preflight::stats::bootstrap_ratio_of_medians(before, after));
  state.SetItemsProcessed(state.iterations() * state.range(0) * 2);
}
BENCHMARK(BM_BootstrapRatioOfMedians)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

void BM_MannWhitney(benchmark::State& state) {
  auto a = latencies(static_cast<std::size_t>(state.range(0)), 1, 1.0);
  auto b = latencies(static_cast<std::size_t>(state.range(0)), 2, 1.1);
  for (auto _ : state) benchmark::DoNotOptimize(preflight::stats::mann_whitney_u(a, b));
}
BENCHMARK(BM_MannWhitney)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

} // namespace
