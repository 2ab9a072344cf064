#pragma once
// From samples and plans to statistics and verdicts: the last, pure step of `bench run`.

#include "core/bench/results.h"
#include "core/bench/suite.h"

namespace preflight::bench {

/// Summarises every phase's samples, computes each query's before/after ratio of medians with a
/// 95 % bootstrap interval (seeded by the suite seed), and replaces `results.verdicts` with one
/// verdict per expectation of `suite` (plan, latency, improvement) plus the informational claim
/// verdicts. An improvement passes when the interval's lower bound reaches the limit.
void evaluate(const Suite& suite, Results& results);

/// Replaces `results.verdicts` with one verdict per [queries.load] limit of `suite` (kind
/// "load": max_stall_ms, max_errors, max_p99_ms) measured in `results.load`.
void evaluate_load(const Suite& suite, Results& results);

} // namespace preflight::bench
