#pragma once
// Results in Google Benchmark's JSON shape (1.7), so that its compare.py,
// github-action-benchmark (tool: googlecpp) and Bencher read `bench run` output.

#include <nlohmann/json.hpp>

#include "core/bench/results.h"

namespace preflight::bench {

/// One "iteration" entry per query and phase named "<query>/<phase>" (real_time = median in
/// µs, iterations = samples, p95/p99/min/max in µs as counters), followed by its "_mean",
/// "_median" and "_stddev" aggregates; "context" from the environment.
nlohmann::json to_gbench_json(const Results& results);

} // namespace preflight::bench
