#include "core/bench/load.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/stats/stats.h"

namespace preflight::bench {

std::string to_string(LoadOutcome outcome) {
  switch (outcome) {
  case LoadOutcome::ok: return "ok";
  case LoadOutcome::lock_timeout: return "lock_timeout";
  case LoadOutcome::statement_timeout: return "statement_timeout";
  case LoadOutcome::deadlock: return "deadlock";
  case LoadOutcome::serialization: return "serialization";
  case LoadOutcome::connection: return "connection";
  case LoadOutcome::other: return "other";
  }
  return "other";
}

LoadOutcome outcome_of_sqlstate(const std::string& sqlstate) {
  if (sqlstate.empty() || sqlstate.starts_with("08")) return LoadOutcome::connection;
  if (sqlstate == "55P03") return LoadOutcome::lock_timeout;
  if (sqlstate == "57014") return LoadOutcome::statement_timeout;
  if (sqlstate == "40P01") return LoadOutcome::deadlock;
  if (sqlstate == "40001") return LoadOutcome::serialization;
  // Administrator shutdown / crash / cannot connect now: the connection, as far as users see.
  if (sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03")
    return LoadOutcome::connection;
  return LoadOutcome::other;
}

const LoadOperation* LoadRun::find(const std::string& name) const {
  for (const auto& o : operations) {
    if (o.name == name) return &o;
  }
  return nullptr;
}

int lock_holder(const std::vector<LoadStatement>& statements, const LockTakers& takers, int running,
                const std::string& relation) {
  if (running < 0 || running >= static_cast<int>(statements.size())) return running;
  const auto version = statements[static_cast<std::size_t>(running)].version;
  int first = running;
  while (first > 0 && statements[static_cast<std::size_t>(first - 1)].version == version) --first;
  for (int i = first; i <= running; ++i) {
    if (static_cast<std::size_t>(i) >= takers.size()) break;
    const auto& locked = takers[static_cast<std::size_t>(i)];
    if (std::find(locked.begin(), locked.end(), relation) != locked.end()) return i;
  }
  return running;
}

int statement_at(const LoadRun& run, double at_s) {
  if (!run.migration_start_s || at_s < *run.migration_start_s) return -1;
  if (run.migration_end_s && at_s > *run.migration_end_s) return -1;
  int found = -1;
  for (std::size_t i = 0; i < run.statements.size(); ++i) {
    if (run.statements[i].start_s <= at_s) found = static_cast<int>(i);
  }
  return found;
}

std::pair<double, double> longest_stall(const std::vector<LoadExecution>& executions) {
  if (executions.empty()) return {0, 0};
  std::vector<const LoadExecution*> by_end;
  by_end.reserve(executions.size());
  for (const auto& e : executions) by_end.push_back(&e);
  std::sort(by_end.begin(), by_end.end(),
            [](const auto* a, const auto* b) { return a->finished_s < b->finished_s; });
  // earliest[i]: the earliest scheduled start among executions finishing at or after the i-th,
  // i.e. what was pending just after the (i-1)-th finished.
  std::vector<double> earliest(by_end.size());
  double low = std::numeric_limits<double>::infinity();
  for (std::size_t i = by_end.size(); i-- > 0;) {
    low = std::min(low, by_end[i]->scheduled_s);
    earliest[i] = low;
  }
  double longest = 0;
  double at = 0;
  double previous = -std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < by_end.size(); ++i) {
    const double from = std::max(previous, earliest[i]);
    const double gap = by_end[i]->finished_s - from;
    if (gap > longest) {
      longest = gap;
      at = from;
    }
    previous = by_end[i]->finished_s;
  }
  return {longest * 1000, at};
}

namespace {

double ms(double seconds) {
  return seconds * 1000;
}

LoadPhaseStats phase_stats(const std::string& name, double seconds,
                           const std::vector<const LoadExecution*>& executions) {
  LoadPhaseStats p;
  p.phase = name;
  p.seconds = seconds;
  std::vector<double> latency;
  std::vector<double> service;
  for (const auto* e : executions) {
    ++p.operations;
    if (e->outcome != LoadOutcome::ok) ++p.errors;
    latency.push_back(ms(e->finished_s - e->scheduled_s));
    service.push_back(ms(e->finished_s - e->started_s));
  }
  p.throughput = seconds > 0 ? static_cast<double>(p.operations) / seconds : 0;
  std::sort(latency.begin(), latency.end());
  std::sort(service.begin(), service.end());
  p.p50_ms = stats::quantile_sorted(latency, 0.5);
  p.p99_ms = stats::quantile_sorted(latency, 0.99);
  p.max_ms = latency.empty() ? 0 : latency.back();
  p.service_p50_ms = stats::quantile_sorted(service, 0.5);
  p.service_p99_ms = stats::quantile_sorted(service, 0.99);
  return p;
}

std::vector<LoadBucket> timeline(const std::vector<const LoadExecution*>& executions,
                                 double duration_s, double bucket_s) {
  const auto count = static_cast<std::size_t>(std::max(1.0, std::ceil(duration_s / bucket_s)));
  std::vector<std::vector<double>> latency(count);
  std::vector<LoadBucket> buckets(count);
  for (std::size_t i = 0; i < count; ++i) buckets[i].start_s = static_cast<double>(i) * bucket_s;
  for (const auto* e : executions) {
    auto i = static_cast<std::size_t>(std::max(0.0, e->finished_s / bucket_s));
    i = std::min(i, count - 1);
    ++buckets[i].operations;
    if (e->outcome != LoadOutcome::ok) ++buckets[i].errors;
    latency[i].push_back(ms(e->finished_s - e->scheduled_s));
  }
  for (std::size_t i = 0; i < count; ++i) {
    auto& l = latency[i];
    if (l.empty()) continue;
    std::sort(l.begin(), l.end());
    buckets[i].p50_ms = stats::quantile_sorted(l, 0.5);
    buckets[i].p99_ms = stats::quantile_sorted(l, 0.99);
    buckets[i].max_ms = l.back();
  }
  return buckets;
}

} // namespace

void summarize_load(LoadRun& run, const std::vector<LoadExecution>& executions,
                    const std::vector<LoadWaitSample>& waits, const LockTakers& takers) {
  const double start = run.migration_start_s.value_or(run.duration_s);
  const double end = run.migration_end_s.value_or(run.duration_s);
  run.executions = static_cast<std::int64_t>(executions.size());
  run.achieved_rate =
      run.duration_s > 0 ? static_cast<double>(executions.size()) / run.duration_s : 0;
  for (std::size_t o = 0; o < run.operations.size(); ++o) {
    auto& op = run.operations[o];
    std::vector<const LoadExecution*> all, before, during, after;
    std::vector<LoadExecution> mine;
    for (const auto& e : executions) {
      if (e.operation != static_cast<int>(o)) continue;
      all.push_back(&e);
      mine.push_back(e);
      (e.scheduled_s < start ? before : e.scheduled_s < end ? during : after).push_back(&e);
      if (e.outcome != LoadOutcome::ok) ++op.errors[to_string(e.outcome)];
    }
    op.operations = static_cast<std::int64_t>(all.size());
    op.phases = {phase_stats("before", start, before), phase_stats("during", end - start, during),
                 phase_stats("after", run.duration_s - end, after)};
    op.timeline = timeline(all, run.duration_s, run.bucket_ms / 1000);
    const auto stall = longest_stall(mine);
    op.longest_stall_ms = stall.first;
    op.longest_stall_at_s = stall.second;
    if (!all.empty()) op.p99_ms = phase_stats("all", run.duration_s, all).p99_ms;
    op.blocked_ms = 0;
  }
  run.blocking.clear();
  for (const auto& w : waits) {
    if (w.operation < 0 || w.operation >= static_cast<int>(run.operations.size())) continue;
    auto& op = run.operations[static_cast<std::size_t>(w.operation)];
    op.blocked_ms += ms(w.interval_s);
    if (!w.by_migration) continue;
    const int running = w.statement >= 0 ? w.statement : statement_at(run, w.at_s);
    const int holder = lock_holder(run.statements, takers, running, w.relation);
    auto it = std::find_if(run.blocking.begin(), run.blocking.end(), [&](const LoadBlocking& b) {
      return b.operation == op.name && b.statement == holder && b.relation == w.relation &&
             b.mode == w.mode;
    });
    if (it == run.blocking.end()) {
      run.blocking.push_back({op.name, holder, w.relation, w.mode, 0, 0});
      it = run.blocking.end() - 1;
    }
    it->blocked_ms += ms(w.interval_s);
    ++it->samples;
  }
  std::stable_sort(run.blocking.begin(), run.blocking.end(),
                   [](const auto& a, const auto& b) { return a.blocked_ms > b.blocked_ms; });
}

} // namespace preflight::bench
