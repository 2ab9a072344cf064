#pragma once
// `bench run` as a list of steps: migrate to `before`, load the dataset, ANALYZE, time every
// query, apply the migration under test (timed, with its locks), ANALYZE, time every query
// again, then statistics and verdicts.

#include <functional>
#include <optional>
#include <string>

#include "core/bench/results.h"
#include "core/bench/suite.h"
#include "io/bench/timing_loop.h"
#include "io/pg/pg_session.h"

namespace preflight::bench {

/// Where the after phase of a side-by-side run lives.
struct AfterDatabase {
  pg::PgSession* session = nullptr;
  bool loaded = false; // a copy of the loaded before database: at `before`, with the dataset
};

struct RunOptions {
  std::optional<double> scale;         // overrides the suite's scale
  std::optional<int> iterations;       // overrides every query's iterations
  std::optional<double> time_budget_s; // overrides every query's time budget
  bool throwaway_cluster = false;      // the database is ours: no refusals apply
  bool allow_dataset = false;          // load into a database that already has tables
  bool allow_writes = false;           // run writes = true queries on a database that is not ours
  std::string history_table = "_sqlx_migrations";
  std::string history_mode; // preflight.toml's `history`: which table records the migrations
  // Side by side: asked for once the before database is migrated and loaded, a second database
  // on the same server for the after phase (a copy of the before one, or empty: then it is
  // migrated and loaded the same way); every query alternates between the two. Empty: one
  // database, the before phase measured first, then the migration, then the after phase.
  std::function<AfterDatabase()> after_database;
};

/// What the runner is doing, for progress output.
struct RunProgress {
  std::string step;  // "migrate", "dataset", "analyze", "sample", "query", "migration"
  std::string phase; // "before"/"after" for query steps
  std::string query;
  int query_index = 0; // 1-based
  int query_count = 0;
  int samples = 0;
  int target = 0;
  double eta_s = 0;
  bool finished = false; // the step (or the query's phase) is done
  std::string detail;    // e.g. "p50 0.091 ms, generic plan"
};

class BenchRunner {
public:
  BenchRunner(pg::PgSession& session, Suite suite, RunOptions options);

  void on_progress(std::function<void(const RunProgress&)> callback) {
    m_progress = std::move(callback);
  }
  /// Runs the suite; throws Error(usage) for a refused dataset or writes query (before anything
  /// changes), Error(problem) when a migration or a query fails.
  Results run();

  /// Brings the database to the state that run() measures `phase` in ("before": migrated, dataset
  /// loaded, analysed; "after": the migration under test applied too) without timing anything,
  /// and returns how run() times `query` there: for re-measuring one query. Phases go forward
  /// only; throws Error(input) when the suite has no such query.
  TimingRequest prepare(const std::string& query, const std::string& phase);

private:
  void check_migrations();
  void check_refusals();
  void set_up_before(pg::PgSession& session);
  void apply_migration_under_test(pg::PgSession& session, Results* record);
  void migrate_to(pg::PgSession& session, std::int64_t version, Results* record);
  void load_dataset(pg::PgSession& session);
  void analyze(pg::PgSession& session);
  void resolve_samples();
  void run_phase(const std::string& phase, Results& results);
  void run_side_by_side(pg::PgSession& after, Results& results);
  TimingRequest timing_request(std::size_t query, const std::string& phase) const;
  void report(RunProgress progress) const;

  pg::PgSession& m_session;
  Suite m_suite;
  RunOptions m_options;
  double m_scale = 1;
  std::vector<std::vector<GeneratorSpec>> m_params; // per query, samples resolved
  std::function<void(const RunProgress&)> m_progress;
  std::string m_prepared_phase; // what prepare() has set up so far: "", "before" or "after"
};

} // namespace preflight::bench
