#pragma once
// The open-loop traffic of `bench load`: one thread per connection, each with its own Poisson
// arrival schedule (as `pgbench -R` gives each client), executing one operation's prepared
// statement (io/pg's PreparedStatement). Latency counts from the scheduled start, so a connection
// that waits for a lock cannot hide the executions it would have sent meanwhile.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "core/bench/load.h"
#include "io/bench/timing_loop.h"
#include "io/pg/pg_session.h"
#include "io/pg/prepared_statement.h"

namespace preflight::bench {

using LoadClock = std::chrono::steady_clock;

/// What every traffic thread shares with the one that runs the migration.
struct TrafficControl {
  LoadClock::time_point start;                     // time 0 of every record
  std::atomic<std::int64_t> stop_at_ns{INT64_MAX}; // no execution scheduled at or after this
  std::atomic<bool> stop{false};                   // stop now (interrupted, a cap reached)
  std::atomic<std::int64_t> budget{0};             // executions left before the operation cap
  std::atomic<bool> budget_spent{false};
  const std::atomic<bool>* interrupted = nullptr; // set by a signal handler

  /// True once the run is to stop (asked, or interrupted).
  bool stopping() const {
    return stop.load(std::memory_order_relaxed) ||
           (interrupted && interrupted->load(std::memory_order_relaxed));
  }
};

/// One connection's share of the traffic.
struct ClientPlan {
  int operation = 0;      // index into the suite's queries
  TimingRequest request;  // sql, resolved parameters, seed, writes
  double rate = 0;        // executions per second for this connection
  std::uint64_t seed = 1; // arrival times and parameters
};

class TrafficClient {
public:
  /// Opens its connection (like `session`'s) and prepares the statement; throws Error like
  /// PgSession::connect or Error(problem) when the statement does not prepare.
  TrafficClient(pg::PgSession& session, ClientPlan plan, std::size_t capacity);
  ~TrafficClient();
  TrafficClient(const TrafficClient&) = delete;
  TrafficClient& operator=(const TrafficClient&) = delete;

  /// Runs `warmup` executions now, unrecorded (the plan cache's generic/custom choice).
  void warm_up(int warmup);
  /// Starts the thread; it runs until `control` stops it.
  void start(TrafficControl& control);
  /// Waits for the thread; after `grace`, cancels the statement it is waiting for.
  void join(std::chrono::milliseconds grace);

  int backend_pid() const { return m_pid; }
  int operation() const { return m_plan.operation; }
  /// The executions recorded (valid after join()).
  const std::vector<LoadExecution>& executions() const { return m_executions; }

private:
  void run(TrafficControl& control);
  LoadOutcome execute(const std::vector<std::string>& values);
  void reconnect_if_lost();

  std::unique_ptr<pg::PgSession> m_session;
  std::unique_ptr<pg::PreparedStatement> m_statement; // on m_session, so declared after it
  ClientPlan m_plan;
  int m_pid = 0;
  std::vector<LoadExecution> m_executions;
  std::atomic<bool> m_done{false};
  LoadClock::time_point m_last_reconnect{};
  std::thread m_thread;
};

} // namespace preflight::bench
