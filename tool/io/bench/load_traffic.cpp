#include "io/bench/load_traffic.h"

#include <sys/prctl.h>
#include <time.h>

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "io/pg/cancel_handle.h"

namespace preflight::bench {

namespace {

constexpr const char* k_statement = "preflight_load";

double seconds(LoadClock::time_point at, LoadClock::time_point start) {
  return std::chrono::duration<double>(at - start).count();
}

// Sleeps until `at` on the monotonic clock (steady_clock's), waking every 50 ms to see `stop`.
void sleep_until(LoadClock::time_point at, const TrafficControl& control) {
  while (!control.stopping()) {
    const auto now = LoadClock::now();
    if (now >= at) return;
    const auto until = std::min(at, now + std::chrono::milliseconds(50));
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(until.time_since_epoch());
    timespec ts{};
    ts.tv_sec = static_cast<time_t>(ns.count() / 1'000'000'000);
    ts.tv_nsec = static_cast<long>(ns.count() % 1'000'000'000);
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr);
  }
}

// The statement prepared on `session`; throws Error(problem) when it does not prepare.
std::unique_ptr<pg::PreparedStatement> prepare(pg::PgSession& session,
                                               const TimingRequest& request) {
  auto statement = std::make_unique<pg::PreparedStatement>(session, k_statement, request.sql);
  if (!statement->prepared().ok) {
    throw Error(ErrorKind::problem,
                fmt::format("query \"{}\" does not prepare: {}", request.query,
                            statement->prepared().message),
                "check the query's SQL in the suite");
  }
  return statement;
}

LoadOutcome outcome_of(const pg::CallOutcome& call) {
  return call.ok ? LoadOutcome::ok : outcome_of_sqlstate(call.sqlstate);
}

} // namespace

TrafficClient::TrafficClient(pg::PgSession& session, ClientPlan plan, std::size_t capacity)
    : m_session(session.connect_again("preflight bench load")), m_plan(std::move(plan)) {
  m_pid = m_session->backend_pid();
  m_statement = prepare(*m_session, m_plan.request);
  m_executions.reserve(capacity);
}

TrafficClient::~TrafficClient() {
  if (m_thread.joinable()) join(std::chrono::milliseconds(0));
}

void TrafficClient::warm_up(int warmup) {
  ParamStream params(m_plan.request.params, m_plan.seed ^ 0x5bd1e995U);
  for (int i = 0; i < warmup; ++i) execute(params.next());
}

void TrafficClient::start(TrafficControl& control) {
  m_thread = std::thread([this, &control] { run(control); });
}

void TrafficClient::join(std::chrono::milliseconds grace) {
  const auto deadline = LoadClock::now() + grace;
  while (!m_done.load() && LoadClock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  if (!m_done.load()) {
    // Still waiting for the server (a lock the migration holds): ask it to give up.
    pg::CancelHandle(*m_session).cancel();
  }
  if (m_thread.joinable()) m_thread.join();
}

LoadOutcome TrafficClient::execute(const std::vector<std::string>& values) {
  std::vector<const char*> pointers;
  pointers.reserve(values.size());
  for (const auto& v : values) pointers.push_back(v.c_str());
  if (m_plan.request.writes) {
    const auto begin = m_statement->command("BEGIN");
    if (!begin.ok) return outcome_of(begin);
  }
  const LoadOutcome outcome = outcome_of(m_statement->execute(pointers));
  if (m_plan.request.writes) m_statement->rollback_quietly();
  return outcome;
}

// A lost connection is counted on every execution it fails, and tried again at most every
// 100 ms so that a server restart does not turn the run into a reconnection loop.
void TrafficClient::reconnect_if_lost() {
  if (m_session->connected()) return;
  const auto now = LoadClock::now();
  if (now - m_last_reconnect < std::chrono::milliseconds(100)) return;
  m_last_reconnect = now;
  if (!m_session->reset()) return;
  // When it does not prepare, the executions that follow fail and are counted as errors.
  if (m_statement->prepare_again().ok) m_pid = m_session->backend_pid();
}

void TrafficClient::run(TrafficControl& control) {
  // The kernel may otherwise add up to 50 µs to every wake-up, which would all be schedule lag.
  prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  Random arrivals(m_plan.seed);
  ParamStream params(m_plan.request.params, m_plan.seed);
  const double mean_gap = 1.0 / m_plan.rate;
  auto gap = [&] { return -std::log(1.0 - arrivals.unit()) * mean_gap; };
  double next = gap();
  while (!control.stopping()) {
    const auto next_ns = static_cast<std::int64_t>(next * 1e9);
    if (next_ns >= control.stop_at_ns.load(std::memory_order_relaxed)) break;
    if (control.budget.fetch_sub(1, std::memory_order_relaxed) <= 0) {
      control.budget_spent = true;
      control.stop = true;
      break;
    }
    const auto scheduled = control.start + std::chrono::nanoseconds(next_ns);
    sleep_until(scheduled, control);
    if (control.stopping()) break;
    auto values = params.next();
    const auto started = LoadClock::now();
    const auto outcome = execute(values);
    const auto finished = LoadClock::now();
    // An execution cancelled because the run stops (Ctrl-C, a cap) is not the application's error.
    if (outcome != LoadOutcome::ok && control.stopping()) break;
    m_executions.push_back({m_plan.operation, next, seconds(started, control.start),
                            seconds(finished, control.start), outcome});
    if (outcome == LoadOutcome::connection) reconnect_if_lost();
    next += gap();
  }
  m_done = true;
}

} // namespace preflight::bench
