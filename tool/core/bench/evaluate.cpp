#include "core/bench/evaluate.h"

#include <fmt/format.h>

#include "core/bench/claim.h"
#include "core/plan/plan.h"

namespace preflight::bench {

namespace {

std::string ms(double value) {
  if (value < 0.001) return fmt::format("{:.3g} ms", value); // 0.000001 is not "0.000"
  return value < 1 ? fmt::format("{:.3f} ms", value) : fmt::format("{:.2f} ms", value);
}

void plan_verdicts(const QuerySpec& query, const PhaseResult& phase, std::vector<Verdict>& out) {
  const auto& expectation = query.phase(phase.phase).plan;
  if (expectation.empty()) return;
  plan::Plan parsed;
  try {
    parsed = plan::parse_explain(phase.explain);
  } catch (const Error& e) {
    out.push_back({query.name, phase.phase, "plan", "explain", false, "a plan", e.message()});
    return;
  }
  for (const auto& a : plan::check_plan(parsed, expectation)) {
    out.push_back({query.name, phase.phase, "plan", a.name, a.passed, a.expected, a.actual});
  }
}

void latency_verdicts(const QuerySpec& query, const PhaseResult& phase, std::vector<Verdict>& out) {
  const auto& spec = query.phase(phase.phase);
  const std::pair<const char*, std::pair<std::optional<double>, double>> limits[] = {
      {"p50_ms", {spec.p50_ms, phase.summary.p50}},
      {"p95_ms", {spec.p95_ms, phase.summary.p95}},
      {"p99_ms", {spec.p99_ms, phase.summary.p99}}};
  for (const auto& [name, limit] : limits) {
    if (!limit.first) continue;
    out.push_back({query.name, phase.phase, "latency", name, limit.second <= *limit.first,
                   "<= " + ms(*limit.first), ms(limit.second)});
  }
}

} // namespace

void evaluate(const Suite& suite, Results& results) {
  results.verdicts.clear();
  for (auto& result : results.queries) {
    for (auto& phase : result.phases) phase.summary = stats::summarize(phase.samples_ms);
    const PhaseResult* before = result.find_phase("before");
    const PhaseResult* after = result.find_phase("after");
    if (before && after && !before->samples_ms.empty() && !after->samples_ms.empty()) {
      result.improvement = stats::bootstrap_ratio_of_medians(
          before->samples_ms, after->samples_ms, 0.95, 2000, query_seed(suite.seed, result.name));
    }
    const QuerySpec* spec = nullptr;
    for (const auto& q : suite.queries) {
      if (q.name == result.name) spec = &q;
    }
    if (!spec) continue;
    for (const auto& phase : result.phases) {
      plan_verdicts(*spec, phase, results.verdicts);
      latency_verdicts(*spec, phase, results.verdicts);
    }
    if (!result.improvement) continue;
    const auto& ratio = *result.improvement;
    if (spec->improvement) {
      results.verdicts.push_back(
          {result.name, "", "improvement", "improvement", ratio.low >= *spec->improvement,
           fmt::format(">= {:g}x (lower bound of the 95% interval)", *spec->improvement),
           fmt::format("{:.2f}x (95% CI {:.2f}-{:.2f}x)", ratio.estimate, ratio.low, ratio.high)});
    }
    if (!result.claim.empty()) {
      for (auto& v : check_claim(parse_claim(result.claim), result.name, before->summary,
                                 after->summary, ratio)) {
        results.verdicts.push_back(std::move(v));
      }
    }
  }
}

void evaluate_load(const Suite& suite, Results& results) {
  results.verdicts.clear();
  if (!results.load) return;
  for (const auto& q : suite.queries) {
    const auto* op = results.load->find(q.name);
    if (!op || q.load.empty()) continue;
    if (q.load.max_stall_ms) {
      results.verdicts.push_back({q.name, "", "load", "max_stall_ms",
                                  op->longest_stall_ms <= *q.load.max_stall_ms,
                                  "<= " + ms(*q.load.max_stall_ms), ms(op->longest_stall_ms)});
    }
    if (q.load.max_errors) {
      std::int64_t errors = 0;
      for (const auto& [kind, count] : op->errors) errors += count;
      results.verdicts.push_back({q.name, "", "load", "max_errors", errors <= *q.load.max_errors,
                                  fmt::format("<= {}", *q.load.max_errors),
                                  fmt::format("{}", errors)});
    }
    if (q.load.max_p99_ms) {
      const double p99 = op->p99_ms.value_or(0);
      results.verdicts.push_back(
          {q.name, "", "load", "max_p99_ms", op->p99_ms && p99 <= *q.load.max_p99_ms,
           "<= " + ms(*q.load.max_p99_ms), op->p99_ms ? ms(p99) : std::string("no executions")});
    }
  }
}

} // namespace preflight::bench
