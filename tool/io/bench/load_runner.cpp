#include "io/bench/load_runner.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "core/bench/evaluate.h"
#include "core/migrate/checksum.h"
#include "io/bench/environment.h"
#include "io/bench/load_traffic.h"
#include "io/bench/load_watcher.h"
#include "io/migrate/layout_directory.h"
#include "io/migrate/lock_trace.h"
#include "io/pg/cancel_handle.h"

namespace preflight::bench {

namespace {

double since(LoadClock::time_point start) {
  return std::chrono::duration<double>(LoadClock::now() - start).count();
}

// Records when each migration statement ran (for the timeline and for telling which one ran when
// a wait was seen) and passes everything on to the lock tracer, whose records give each statement
// its file:line and the relations it locked.
class MigrationTimeline : public migrate::StatementObserver {
public:
  MigrationTimeline(migrate::LockTracer& tracer, LoadClock::time_point start)
      : m_tracer(tracer), m_start(start) {}

  void before_migration(const migrate::Migration& migration,
                        migrate::Direction direction) override {
    m_tracer.before_migration(migration, direction);
  }
  void after_statement(const migrate::Migration& migration, const sql::Statement& statement,
                       std::int64_t duration_ns) override {
    record(migration, duration_ns, false);
    m_tracer.after_statement(migration, statement, duration_ns);
    describe_last();
  }
  void after_migration(const migrate::Migration& migration, migrate::Direction direction) override {
    m_tracer.after_migration(migration, direction);
  }
  void statement_failed(const migrate::Migration& migration, const sql::Statement& statement,
                        std::int64_t duration_ns) override {
    record(migration, duration_ns, true);
    m_tracer.statement_failed(migration, statement, duration_ns);
    describe_last();
  }

  std::vector<LoadStatement>& statements() { return m_statements; }
  const LockTakers& takers() const { return m_takers; }

private:
  // The migrator times each statement around its round trip: it started that long before now.
  void record(const migrate::Migration& migration, std::int64_t duration_ns, bool failed) {
    const double end = since(m_start);
    m_statements.push_back({migration.version, migration.up.path, 0, "",
                            end - static_cast<double>(duration_ns) / 1e9, end, failed});
  }

  void describe_last() {
    const auto& traced = m_tracer.trace().statements;
    if (traced.empty()) return;
    const auto& record = traced.back();
    auto& s = m_statements.back();
    s.file = record.file;
    s.line = record.line;
    s.text = record.text;
    std::vector<std::string> relations;
    for (const auto& lock : record.locks) relations.push_back(lock.relation);
    m_takers.resize(m_statements.size());
    m_takers.back() = std::move(relations);
  }

  migrate::LockTracer& m_tracer;
  LoadClock::time_point m_start;
  std::vector<LoadStatement> m_statements;
  LockTakers m_takers;
};

// Every operation gets a connection of its own, the rest go by weight (largest remainder):
// operations on separate connections cannot hold each other up, so a stall measured on one is
// the migration's doing, not a shared pool's.
std::vector<int> clients_per_operation(const Suite& suite, int clients) {
  const auto count = suite.queries.size();
  std::vector<int> out(count, 1);
  double total = 0;
  for (const auto& q : suite.queries) total += q.weight;
  const int spare = clients - static_cast<int>(count);
  std::vector<std::pair<double, std::size_t>> remainders;
  int given = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const double share = spare * suite.queries[i].weight / total;
    out[i] += static_cast<int>(std::floor(share));
    given += static_cast<int>(std::floor(share));
    remainders.emplace_back(share - std::floor(share), i);
  }
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t i = 0; given < spare && i < remainders.size(); ++i, ++given)
    ++out[remainders[i].second];
  return out;
}

// Waits until `seconds` after the start of the traffic, or until the run stops.
void wait_until(const TrafficControl& control, double seconds) {
  const auto at =
      control.start + std::chrono::nanoseconds(static_cast<std::int64_t>(seconds * 1e9));
  while (!control.stopping() && LoadClock::now() < at)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

} // namespace

void check_load_options(const Suite& suite, const LoadOptions& options) {
  const auto operations = static_cast<int>(suite.queries.size());
  if (options.clients < operations) {
    throw Error(ErrorKind::usage,
                fmt::format("--clients {} is fewer than the suite's {} operations", options.clients,
                            operations),
                "every operation runs on connections of its own: give at least one each");
  }
  if (options.before_s + options.after_s >= options.max_duration_s) {
    throw Error(ErrorKind::usage,
                fmt::format("--before {:g} and --after {:g} leave no time for the migration "
                            "within --max-duration {:g}",
                            options.before_s, options.after_s, options.max_duration_s),
                "raise --max-duration or shorten --before/--after");
  }
}

Results run_load(pg::PgSession& session, const Suite& suite, const LoadOptions& options,
                 const std::function<void(const RunProgress&)>& progress) {
  check_load_options(suite, options);
  // The same database as `bench run` measures: migrated to `before`, dataset, VACUUM ANALYZE.
  BenchRunner setup(session, suite, options.run);
  if (progress) setup.on_progress(progress);
  std::vector<TimingRequest> requests;
  for (const auto& q : suite.queries) requests.push_back(setup.prepare(q.name, "before"));

  // Connections, each prepared and warmed up before the clock starts.
  const auto shares = clients_per_operation(suite, options.clients);
  double total_weight = 0;
  for (const auto& q : suite.queries) total_weight += q.weight;
  const double expected_s = options.before_s + options.after_s + 60;
  // Declared before the connections, whose threads use it until they are joined.
  TrafficControl control;
  control.budget = options.max_operations;
  control.interrupted = options.interrupted;
  std::vector<std::unique_ptr<TrafficClient>> clients;
  std::map<int, int> operation_of_pid;
  for (std::size_t o = 0; o < suite.queries.size(); ++o) {
    const double rate = options.rate * suite.queries[o].weight / total_weight / shares[o];
    for (int c = 0; c < shares[o]; ++c) {
      ClientPlan plan{static_cast<int>(o), requests[o], rate,
                      requests[o].seed * std::uint64_t{0x9E3779B97F4A7C15} +
                          static_cast<std::uint64_t>(c)};
      const auto capacity = static_cast<std::size_t>(std::min<double>(
          rate * expected_s * 1.2 + 64, static_cast<double>(options.max_operations)));
      clients.push_back(std::make_unique<TrafficClient>(session, plan, capacity));
      clients.back()->warm_up(std::min(requests[o].warmup, 10));
      operation_of_pid[clients.back()->backend_pid()] = static_cast<int>(o);
    }
  }

  Results results;
  results.suite_name = suite.name;
  results.suite_file = suite.file;
  results.scale = options.run.scale.value_or(suite.scale);
  results.seed = suite.seed;
  results.environment = collect_environment(session, options.run.throwaway_cluster);
  LoadRun run;
  run.rate = options.rate;
  run.clients = options.clients;
  run.before_s = options.before_s;
  run.after_s = options.after_s;
  run.max_operations = options.max_operations;
  run.max_duration_s = options.max_duration_s;
  for (std::size_t o = 0; o < suite.queries.size(); ++o) {
    LoadOperation op;
    op.name = suite.queries[o].name;
    op.weight = suite.queries[o].weight;
    op.clients = shares[o];
    op.writes = suite.queries[o].writes;
    run.operations.push_back(std::move(op));
  }

  // A suite's migrations may be in any layout, detected as `migrate` detects it.
  auto migrator_options = options.migrator;
  auto files = migrate::load_layout_migrations(suite.migrations, "", {}, &migrator_options.layout);
  migrate::Migrator migrator(session, migrator_options);
  migrate::LockTracer tracer(session);
  LoadWatcher watcher(session, operation_of_pid, session.backend_pid(),
                      std::chrono::milliseconds(10));
  const pg::CancelHandle migration_cancel(session);
  std::atomic<bool> duration_cap{false};

  // Traffic, then the migration after --before seconds, then --after seconds more.
  if (progress)
    progress({"traffic", "",
              fmt::format("{:g} operations/s on {} connections", options.rate, options.clients), 0,
              0, 0, 0, 0, false, ""});
  control.start = LoadClock::now();
  for (auto& c : clients) c->start(control);
  watcher.start(control,
                std::chrono::nanoseconds(static_cast<std::int64_t>(options.max_duration_s * 1e9)),
                [&] {
                  duration_cap = true;
                  control.stop = true;
                  migration_cancel.cancel();
                });
  wait_until(control, options.before_s);
  LockTakers takers;
  if (!control.stopping()) {
    if (progress)
      progress(
          {"migration", "",
           fmt::format("applying migration {} under traffic", files.shown_version(suite.after)), 0,
           0, 0, 0, 0, false, ""});
    MigrationTimeline timeline(tracer, control.start);
    migrator.observe(&timeline);
    run.migration_start_s = since(control.start);
    try {
      auto report = migrator.up(files, {suite.after, false});
      if (const auto* failed = report.failure()) {
        run.migration_outcome = "failed: " + failed->error->headline();
      } else {
        run.migration_outcome = "applied";
      }
    } catch (const Error& e) {
      run.migration_outcome = "failed: " + e.headline();
    }
    run.migration_end_s = since(control.start);
    migrator.observe(nullptr);
    run.statements = std::move(timeline.statements());
    if (control.stopping() && run.migration_outcome != "applied")
      run.migration_outcome = "cancelled (" + run.migration_outcome + ")";
    control.stop_at_ns = static_cast<std::int64_t>((*run.migration_end_s + options.after_s) * 1e9);
    if (progress)
      progress(
          {"migration", "",
           fmt::format("migration {}: {}", files.shown_version(suite.after), run.migration_outcome),
           0, 0, 0, 0, 0, true, ""});
    wait_until(control, *run.migration_end_s + options.after_s);
    results.migration = MigrationStep{};
    results.migration->version = suite.after;
    if (const auto* m = files.find(suite.after)) {
      results.migration->description = m->description;
      results.migration->checksum = migrate::to_hex(m->checksum);
    }
    results.migration->duration_ns =
        static_cast<std::int64_t>((*run.migration_end_s - *run.migration_start_s) * 1e9);
    results.migration->lock_trace = tracer.trace();
    takers = timeline.takers();
  } else {
    run.migration_outcome = "not started";
  }
  const bool stopped_early = control.stopping();
  control.stop = true;
  for (auto& c : clients) c->join(std::chrono::milliseconds(1000));
  watcher.stop();
  // The schedule's end, not the join's: waiting for the last replies is not traffic time.
  run.duration_s = since(control.start);
  if (run.migration_end_s && !stopped_early)
    run.duration_s = std::min(run.duration_s, *run.migration_end_s + options.after_s);
  std::vector<LoadExecution> executions;
  for (const auto& c : clients)
    executions.insert(executions.end(), c->executions().begin(), c->executions().end());
  run.watcher_samples = watcher.samples();
  summarize_load(run, executions, watcher.waits(), takers);
  if (options.interrupted && options.interrupted->load()) {
    run.stop_reason = "interrupted";
  } else if (duration_cap) {
    run.stop_reason = "duration cap";
  } else if (control.budget_spent) {
    run.stop_reason = "operation cap";
  } else {
    run.stop_reason = "finished";
  }
  results.load = std::move(run);
  evaluate_load(suite, results);
  return results;
}

} // namespace preflight::bench
