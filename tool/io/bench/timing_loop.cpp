#include "io/bench/timing_loop.h"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "io/bench/shared_cpu.h"
#include "io/pg/prepared_statement.h"

namespace preflight::bench {

namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* k_statement = "preflight_bench";

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

Error failed(const pg::CallOutcome& outcome, const TimingRequest& request, const char* doing) {
  if (outcome.connection_lost) {
    return Error(ErrorKind::connection,
                 fmt::format("lost the connection to the database while {} query \"{}\"", doing,
                             request.query));
  }
  return Error(
      ErrorKind::problem,
      fmt::format("query \"{}\" failed while {}: {}", request.query, doing, outcome.message),
      "check the query's SQL and parameter generators in the suite");
}

class PreparedQuery {
public:
  PreparedQuery(pg::PgSession& session, const TimingRequest& request)
      : m_statement(session, k_statement, request.sql), m_request(request),
        m_params(request.params, request.seed) {
    if (!m_statement.prepared().ok) throw failed(m_statement.prepared(), request, "preparing");
  }

  // One execution; returns its client-side latency in milliseconds. Parameters are generated
  // and the transaction opened before the first clock read, so neither is timed.
  double execute() {
    const auto values = m_params.next();
    std::vector<const char*> pointers;
    pointers.reserve(values.size());
    for (const auto& v : values) pointers.push_back(v.c_str());
    if (m_request.writes) command("BEGIN");
    Clock::duration elapsed{};
    const auto outcome = m_statement.execute_timed(pointers, elapsed);
    if (!outcome.ok) {
      Error error = failed(outcome, m_request, "timing");
      if (m_request.writes) m_statement.rollback_quietly();
      throw error;
    }
    if (m_request.writes) command("ROLLBACK");
    return std::chrono::duration<double, std::milli>(elapsed).count();
  }

  // The plan the timed executions get: EXECUTE goes through the same plan cache.
  nlohmann::json explain(pg::PgSession& session, const std::vector<std::string>& values) {
    std::string args;
    for (const auto& v : values) args += (args.empty() ? "" : ", ") + session.quote_literal(v);
    std::string sql = fmt::format("EXPLAIN (ANALYZE, BUFFERS, SETTINGS, FORMAT JSON) EXECUTE {}{}",
                                  k_statement, values.empty() ? "" : "(" + args + ")");
    if (m_request.writes) command("BEGIN");
    auto outcome = session.try_exec(sql);
    if (m_request.writes) command("ROLLBACK");
    if (!outcome.ok()) {
      throw Error(ErrorKind::problem, fmt::format("query \"{}\" failed under EXPLAIN: {}",
                                                  m_request.query, outcome.failure->describe()));
    }
    return nlohmann::json::parse(outcome.result.get(0, 0));
  }

  // Plan-cache counters (PostgreSQL 14+), to tell which plan kind the samples ran with.
  std::pair<std::int64_t, std::int64_t> plan_counts(pg::PgSession& session) {
    if (session.server_version() < 140000) return {-1, -1};
    auto r = session.exec(fmt::format(
        "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = '{}'",
        k_statement));
    if (r.rows() != 1) return {-1, -1};
    return {r.get_int(0, 0), r.get_int(0, 1)};
  }

private:
  void command(const char* sql) {
    const auto outcome = m_statement.command(sql);
    if (!outcome.ok) throw failed(outcome, m_request, "running");
  }

  pg::PreparedStatement m_statement;
  const TimingRequest& m_request;
  ParamStream m_params;
};

std::string plan_kind(std::pair<std::int64_t, std::int64_t> before,
                      std::pair<std::int64_t, std::int64_t> after) {
  if (before.first < 0 || after.first < 0) return "unknown";
  const bool generic = after.first > before.first;
  const bool custom = after.second > before.second;
  if (generic && custom) return "mixed";
  return generic ? "generic" : "custom";
}

// Warm-up (so the plan cache has made its generic/custom choice), then the plan the timed
// executions get, explained with the representative parameter set: the first the seed gives.
void warm_up_and_explain(PreparedQuery& query, pg::PgSession& session, const TimingRequest& request,
                         TimedPhase& phase) {
  phase.warmup = request.warmup;
  for (int i = 0; i < request.warmup; ++i) query.execute();
  phase.explain_params = ParamStream(request.params, request.seed).next();
  phase.explain = query.explain(session, phase.explain_params);
}

// Reports progress at most five times a second.
class ProgressPacer {
public:
  ProgressPacer(const std::function<void(const TimingProgress&)>& progress, int target,
                double budget_s)
      : m_progress(progress), m_target(target), m_budget_s(budget_s), m_start(Clock::now()),
        m_last(m_start) {}

  void tick(int done) {
    const auto now = Clock::now();
    if (!m_progress || done == 0 || now - m_last < std::chrono::milliseconds(200)) return;
    m_last = now;
    const double elapsed = std::chrono::duration<double>(now - m_start).count();
    const double eta = std::min(elapsed / done * (m_target - done), m_budget_s - elapsed);
    m_progress({done, m_target, elapsed, eta});
  }
  void finish(int done) const {
    if (m_progress) m_progress({done, m_target, seconds_since(m_start), 0});
  }

private:
  const std::function<void(const TimingProgress&)>& m_progress;
  int m_target;
  double m_budget_s;
  Clock::time_point m_start;
  Clock::time_point m_last;
};

} // namespace

TimedPhase time_query(pg::PgSession& session, const TimingRequest& request,
                      const std::function<void(const TimingProgress&)>& progress) {
  TimedPhase phase;
  PreparedQuery query(session, request);
  warm_up_and_explain(query, session, request, phase);

  const auto counts_before = query.plan_counts(session);
  phase.samples_ms.reserve(static_cast<std::size_t>(request.iterations));
  ProgressPacer pacer(progress, request.iterations, request.time_budget_s);
  const auto start = Clock::now();
  while (static_cast<int>(phase.samples_ms.size()) < request.iterations) {
    phase.samples_ms.push_back(query.execute());
    if (seconds_since(start) >= request.time_budget_s) break;
    pacer.tick(static_cast<int>(phase.samples_ms.size()));
  }
  phase.sampling_seconds = seconds_since(start);
  phase.plan_kind = plan_kind(counts_before, query.plan_counts(session));
  pacer.finish(static_cast<int>(phase.samples_ms.size()));
  return phase;
}

SideBySide time_side_by_side(pg::PgSession& first_session, const TimingRequest& first,
                             pg::PgSession& second_session, const TimingRequest& second,
                             const std::function<void(const TimingProgress&)>& progress) {
  SideBySide result;
  const auto shared_cpu = SharedCpu::pin({&first_session, &second_session});
  result.on_one_cpu = shared_cpu.pinned();
  result.one_cpu_note = shared_cpu.note();
  PreparedQuery a(first_session, first);
  PreparedQuery b(second_session, second);
  warm_up_and_explain(a, first_session, first, result.first);
  warm_up_and_explain(b, second_session, second, result.second);

  const auto counts_a = a.plan_counts(first_session);
  const auto counts_b = b.plan_counts(second_session);
  auto& samples_a = result.first.samples_ms;
  auto& samples_b = result.second.samples_ms;
  samples_a.reserve(static_cast<std::size_t>(first.iterations));
  samples_b.reserve(static_cast<std::size_t>(second.iterations));
  const double budget_s = first.time_budget_s + second.time_budget_s;
  ProgressPacer pacer(progress, first.iterations + second.iterations, budget_s);
  const auto start = Clock::now();
  // ABBA order: neither statement always runs right after the other, so a cache one of them
  // warms or a cost one of them leaves behind does not favour the same side every time.
  for (std::size_t round = 0; seconds_since(start) < budget_s; ++round) {
    const bool a_wants = static_cast<int>(samples_a.size()) < first.iterations;
    const bool b_wants = static_cast<int>(samples_b.size()) < second.iterations;
    if (!a_wants && !b_wants) break;
    if (round % 2 == 0) {
      if (a_wants) samples_a.push_back(a.execute());
      if (b_wants) samples_b.push_back(b.execute());
    } else {
      if (b_wants) samples_b.push_back(b.execute());
      if (a_wants) samples_a.push_back(a.execute());
    }
    pacer.tick(static_cast<int>(samples_a.size() + samples_b.size()));
  }
  result.first.sampling_seconds = result.second.sampling_seconds = seconds_since(start);
  result.first.plan_kind = plan_kind(counts_a, a.plan_counts(first_session));
  result.second.plan_kind = plan_kind(counts_b, b.plan_counts(second_session));
  pacer.finish(static_cast<int>(samples_a.size() + samples_b.size()));
  return result;
}

} // namespace preflight::bench
