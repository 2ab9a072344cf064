#pragma once
// `bench load`: what the suite's operations suffered while the migration ran, as measured by an
// open-loop traffic generator. The measured records (one per execution, one per lock-wait sample)
// come in from io; this turns them into timelines, phase tables, stalls, blocked time, the
// statements that blocked, and verdicts. Pure: times are seconds since the traffic started.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace preflight::bench {

/// How an execution ended, from its SQLSTATE.
enum class LoadOutcome {
  ok,
  lock_timeout,
  statement_timeout,
  deadlock,
  serialization,
  connection,
  other
};

/// "ok", "lock_timeout" (55P03), "statement_timeout" (57014), "deadlock" (40P01),
/// "serialization" (40001), "connection" (class 08 or a lost connection), "other".
std::string to_string(LoadOutcome outcome);
/// The outcome of an execution that failed with `sqlstate` ("" for a lost connection).
LoadOutcome outcome_of_sqlstate(const std::string& sqlstate);

/// One execution of one operation.
struct LoadExecution {
  int operation = 0;      // index into the suite's queries
  double scheduled_s = 0; // when the open-loop schedule said it should start
  double started_s = 0;   // when it was sent
  double finished_s = 0;  // when its result arrived
  LoadOutcome outcome = LoadOutcome::ok;
};

/// One lock wait seen by the watcher: a traffic session waiting for a lock at `at_s`.
struct LoadWaitSample {
  double at_s = 0;
  double interval_s = 0; // time since the previous sample: how much wait this sample stands for
  int operation = 0;
  std::string relation;      // what it waits for ("" when not a relation lock)
  std::string mode;          // the mode it asked for, e.g. "RowExclusiveLock"
  bool by_migration = false; // the migration's session is among its blockers
  int statement = -1; // the migration statement running then (index into statements); -1: by time
};

/// 100 ms of one operation's traffic, by completion time.
struct LoadBucket {
  double start_s = 0;
  std::int64_t operations = 0; // completed (successfully or not) in the bucket
  std::int64_t errors = 0;
  double p50_ms = 0; // latency from scheduled start of the executions completed in the bucket
  double p99_ms = 0;
  double max_ms = 0;
};

/// One operation over one phase: "before", "during" (the migration) or "after", by scheduled
/// start.
struct LoadPhaseStats {
  std::string phase;
  double seconds = 0;
  std::int64_t operations = 0;
  std::int64_t errors = 0;
  double throughput = 0; // completed per second
  double p50_ms = 0;     // latency from scheduled start
  double p99_ms = 0;
  double max_ms = 0;
  double service_p50_ms = 0; // from sending to the result
  double service_p99_ms = 0;
};

struct LoadOperation {
  std::string name;
  double weight = 1;
  int clients = 0;
  bool writes = false;
  std::int64_t operations = 0;                // executed
  std::map<std::string, std::int64_t> errors; // by outcome name, failures only
  std::vector<LoadPhaseStats> phases;         // before, during, after
  std::vector<LoadBucket> timeline;
  double longest_stall_ms = 0;   // longest time an execution was pending and none completed
  double longest_stall_at_s = 0; // when that stall began
  double blocked_ms = 0;         // lock-wait time of its sessions seen by the watcher
  std::optional<double> p99_ms;  // whole run, from scheduled start
};

/// A migration statement as the traffic saw it: when it ran.
struct LoadStatement {
  std::int64_t version = 0;
  std::string file;
  std::uint32_t line = 0;
  std::string text;
  double start_s = 0;
  double end_s = 0;
  bool failed = false;
};

/// Lock-wait time of one operation attributed to the migration statement that took the lock.
struct LoadBlocking {
  std::string operation;
  int statement = -1; // index into LoadRun::statements
  std::string relation;
  std::string mode; // the mode the traffic asked for
  double blocked_ms = 0;
  std::int64_t samples = 0;
};

struct LoadRun {
  double rate = 0; // operations per second asked for, in total
  int clients = 0;
  double before_s = 0;
  double after_s = 0;
  std::int64_t max_operations = 0;
  double max_duration_s = 0;
  double bucket_ms = 100;
  double sample_interval_ms = 10;
  double duration_s = 0; // of the traffic
  std::optional<double> migration_start_s;
  std::optional<double> migration_end_s;
  std::string migration_outcome; // "applied", "failed: …", "not started", "cancelled"
  std::string stop_reason;       // "finished", "interrupted", "operation cap", "duration cap"
  std::int64_t executions = 0;
  double achieved_rate = 0; // executions started per second of traffic
  std::int64_t watcher_samples = 0;
  std::vector<LoadStatement> statements;
  std::vector<LoadOperation> operations;
  std::vector<LoadBlocking> blocking;

  /// The operation named `name`, or nullptr.
  const LoadOperation* find(const std::string& name) const;
};

/// Which migration statement holds the lock a wait on `relation` is for: the earliest statement
/// of the same migration, up to `running`, that `takes` says locked it; `running` when none did.
using LockTakers = std::vector<std::vector<std::string>>; // per statement, relations it locked
int lock_holder(const std::vector<LoadStatement>& statements, const LockTakers& takers, int running,
                const std::string& relation);

/// The longest time during which some execution was pending (scheduled, not finished) and none
/// finished, with when it began: `executions` of one operation, any order.
std::pair<double, double> longest_stall(const std::vector<LoadExecution>& executions);

/// The statement running (or last run: locks last until the migration's transaction ends) at
/// `at_s` while the migration ran, or -1 outside it.
int statement_at(const LoadRun& run, double at_s);

/// Fills `run`'s per-operation results (operations must list the operations, names and
/// weights set) and its blocking table from the measured executions and wait samples;
/// `takers` maps each statement to the relations it locked (may be shorter than statements).
void summarize_load(LoadRun& run, const std::vector<LoadExecution>& executions,
                    const std::vector<LoadWaitSample>& waits, const LockTakers& takers);

} // namespace preflight::bench
