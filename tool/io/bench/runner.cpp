#include "io/bench/runner.h"

#include <chrono>

#include <fmt/format.h>

#include "core/bench/evaluate.h"
#include "io/bench/environment.h"
#include "io/bench/suite_file.h"
#include "io/bench/timing_loop.h"
#include "io/migrate/layout_directory.h"
#include "io/migrate/lock_trace.h"
#include "io/migrate/migrator.h"

namespace preflight::bench {

namespace {

PhaseResult phase_result(const std::string& phase, const TimingRequest& request, TimedPhase timed) {
  PhaseResult result;
  result.phase = phase;
  result.sql = request.sql;
  result.samples_ms = std::move(timed.samples_ms);
  result.summary = stats::summarize(result.samples_ms);
  result.plan_kind = timed.plan_kind;
  result.explain = std::move(timed.explain);
  result.explain_params = std::move(timed.explain_params);
  result.warmup_executions = timed.warmup;
  result.sampling_seconds = timed.sampling_seconds;
  return result;
}

} // namespace

BenchRunner::BenchRunner(pg::PgSession& session, Suite suite, RunOptions options)
    : m_session(session), m_suite(std::move(suite)), m_options(std::move(options)) {
  m_scale = m_options.scale.value_or(m_suite.scale);
  if (m_options.iterations) m_suite.defaults.iterations = *m_options.iterations;
  if (m_options.time_budget_s) m_suite.defaults.time_budget_s = *m_options.time_budget_s;
  for (auto& q : m_suite.queries) {
    if (m_options.iterations) q.iterations.reset();
    if (m_options.time_budget_s) q.time_budget_s.reset();
  }
}

void BenchRunner::report(RunProgress progress) const {
  if (m_progress) m_progress(progress);
}

// Validates the migrations before the database is touched.
void BenchRunner::check_migrations() {
  check_suite_migrations(m_suite);
}

Results BenchRunner::run() {
  check_migrations();
  check_refusals();

  Results results;
  results.suite_name = m_suite.name;
  results.suite_file = m_suite.file;
  results.scale = m_scale;
  results.seed = m_suite.seed;
  results.environment = collect_environment(m_session, m_options.throwaway_cluster);
  for (const auto& q : m_suite.queries) {
    auto& r = results.queries.emplace_back();
    r.name = q.name;
    r.claim = q.claim;
    r.writes = q.writes;
    r.min_effect = q.min_effect;
  }

  set_up_before(m_session);
  resolve_samples(); // parameters drawn from the data, once for both phases
  if (m_options.after_database) {
    const auto after = m_options.after_database();
    if (!after.loaded) set_up_before(*after.session); // the same data again (seeded random())
    apply_migration_under_test(*after.session, &results);
    run_side_by_side(*after.session, results);
  } else {
    run_phase("before", results);
    apply_migration_under_test(m_session, &results); // on the loaded data
    run_phase("after", results);
  }
  results.side_by_side = static_cast<bool>(m_options.after_database);
  evaluate(m_suite, results);
  return results;
}

TimingRequest BenchRunner::prepare(const std::string& query, const std::string& phase) {
  if (phase != "before" && phase != "after") {
    throw Error(ErrorKind::input,
                fmt::format("no phase \"{}\" in a suite (before or after)", phase));
  }
  if (m_prepared_phase.empty()) {
    check_migrations();
    check_refusals();
    set_up_before(m_session);
    resolve_samples();
    m_prepared_phase = "before";
  }
  if (phase == "after" && m_prepared_phase == "before") {
    apply_migration_under_test(m_session, nullptr);
    m_prepared_phase = "after";
  }
  if (phase != m_prepared_phase) {
    throw Error(ErrorKind::internal, "prepare(): the database is already past phase " + phase);
  }
  for (std::size_t i = 0; i < m_suite.queries.size(); ++i) {
    if (m_suite.queries[i].name == query) return timing_request(i, phase);
  }
  throw Error(ErrorKind::input, fmt::format("the suite has no query \"{}\"", query), {},
              Location{m_suite.file, 0, 0});
}

void BenchRunner::check_refusals() {
  if (m_options.throwaway_cluster) return;
  if (m_suite.has_writes() && !m_options.allow_writes) {
    std::string names;
    for (const auto& q : m_suite.queries) {
      if (q.writes) names += (names.empty() ? "\"" : ", \"") + q.name + "\"";
    }
    throw Error(
        ErrorKind::usage,
        fmt::format("refusing to run writes queries ({}) on a database preflight did not create",
                    names),
        "each execution is rolled back, but they still take row locks and write WAL; pass "
        "--allow-writes "
        "to run them anyway, or use --ephemeral");
  }
  const bool loads_data = !substitute_scale(m_suite.dataset_sql, m_scale).empty();
  auto tables = m_session.exec(
      "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
      "AND n.nspname NOT LIKE 'pg_toast%'");
  if (loads_data && tables.get_int(0, 0) > 0 && !m_options.allow_dataset) {
    throw Error(
        ErrorKind::usage,
        fmt::format("refusing to load the suite's dataset into {}: it already has {} table{}",
                    m_session.database_name(), tables.get(0, 0),
                    tables.get_int(0, 0) == 1 ? "" : "s"),
        "point --database-url at an empty database, use --ephemeral, or pass --allow-dataset");
  }
}

// The schema the dataset is written for, the dataset, and fresh statistics (or the planner
// guesses).
void BenchRunner::set_up_before(pg::PgSession& session) {
  migrate_to(session, m_suite.before, nullptr);
  load_dataset(session);
  analyze(session);
}

// The new index needs statistics too.
void BenchRunner::apply_migration_under_test(pg::PgSession& session, Results* record) {
  migrate_to(session, m_suite.after, record);
  analyze(session);
}

void BenchRunner::migrate_to(pg::PgSession& session, std::int64_t version, Results* record) {
  // A suite's migrations may be in any layout, detected as `migrate` detects it.
  migrate::MigratorOptions options;
  auto files = migrate::load_layout_migrations(m_suite.migrations, "", {}, &options.layout);
  options.history_table = m_options.history_table;
  options.history_mode = m_options.history_mode;
  migrate::Migrator migrator(session, options);
  for (const auto& applied : migrator.history()) {
    if (applied.version > version) {
      throw Error(ErrorKind::usage,
                  fmt::format("the database already has migration {} applied, past version {}",
                              applied.version, version),
                  "benchmark on a database at or before the suite's `before` version");
    }
  }
  // Said once it is settled that it will happen, not before a refusal.
  report({"migrate", "", fmt::format("to version {}", version), 0, 0, 0, 0, 0, false, ""});
  // The same tracer as `migrate up --dry-run --trace-locks`, so the report shows the same data.
  migrate::LockTracer tracer(session);
  if (record) migrator.observe(&tracer);
  auto run = migrator.up(files, {version, false});
  if (const auto* failed = run.failure()) throw *failed->error;
  if (!record) return;
  MigrationStep step;
  step.version = version;
  if (const auto* m = files.find(version)) {
    step.description = m->description;
    step.checksum = migrate::to_hex(m->checksum);
  }
  for (const auto& s : run.steps) step.duration_ns += s.duration_ns;
  step.lock_trace = tracer.trace();
  record->migration = std::move(step);
  report({"migration", "",
          fmt::format("applied migration {} ({})", version, record->migration->description), 0, 0,
          0, 0, 0, true, ""});
}

void BenchRunner::load_dataset(pg::PgSession& session) {
  const std::string sql = substitute_scale(m_suite.dataset_sql, m_scale);
  if (sql.empty()) return;
  report({"dataset", "", fmt::format("scale {:g}", m_scale), 0, 0, 0, 0, 0, false, ""});
  const auto start = std::chrono::steady_clock::now();
  auto outcome = session.try_exec(sql);
  if (!outcome.ok()) {
    throw Error(ErrorKind::problem, "loading the dataset failed: " + outcome.failure->describe(),
                outcome.failure->hint, Location{m_suite.dataset_file.value_or(m_suite.file), 0, 0});
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  report({"dataset", "", fmt::format("loaded in {:.1f} s", seconds), 0, 0, 0, 0, 0, true, ""});
}

// VACUUM as well: freshly loaded rows have no hint bits and no visibility map, so the first
// reads of every page would write (and autovacuum would start mid-measurement), which makes
// separate runs of the same suite disagree.
void BenchRunner::analyze(pg::PgSession& session) {
  session.exec("VACUUM ANALYZE");
}

void BenchRunner::resolve_samples() {
  m_params.clear();
  for (const auto& q : m_suite.queries) {
    std::vector<GeneratorSpec> specs;
    for (const auto& spec : q.params) {
      const auto* sample = std::get_if<Sample>(&spec);
      if (!sample) {
        specs.push_back(spec);
        continue;
      }
      auto outcome = m_session.try_exec(substitute_scale(sample->sql, m_scale));
      if (!outcome.ok()) {
        throw Error(ErrorKind::problem,
                    fmt::format("query \"{}\": sample query failed: {}", q.name,
                                outcome.failure->describe()),
                    {}, q.location);
      }
      std::vector<std::string> values;
      for (int r = 0; r < outcome.result.rows(); ++r) {
        // Parameters travel as text, where a NULL would arrive as '' and fail or match
        // differently: refused, naming the query, rather than changed.
        if (outcome.result.is_null(r, 0)) {
          throw Error(
              ErrorKind::problem,
              fmt::format("query \"{}\": sample query returned NULL (row {})", q.name, r + 1),
              "parameters cannot be NULL; leave NULLs out of the sample (… WHERE x IS NOT "
              "NULL)",
              q.location);
        }
        values.push_back(outcome.result.get(r, 0));
      }
      if (values.empty()) {
        throw Error(ErrorKind::problem,
                    fmt::format("query \"{}\": sample query returned no rows", q.name),
                    "the dataset must contain what the sample selects", q.location);
      }
      specs.push_back(with_values(std::move(values)));
    }
    m_params.push_back(std::move(specs));
  }
}

void BenchRunner::run_phase(const std::string& phase, Results& results) {
  const int count = static_cast<int>(m_suite.queries.size());
  for (int i = 0; i < count; ++i) {
    const auto& q = m_suite.queries[static_cast<std::size_t>(i)];
    const auto request = timing_request(static_cast<std::size_t>(i), phase);
    RunProgress progress{"query", phase, q.name, i + 1, count, 0, request.iterations, 0, false, ""};
    report(progress);
    auto timed = time_query(m_session, request, [&](const TimingProgress& p) {
      progress.step = "sample";
      progress.samples = p.samples;
      progress.eta_s = p.eta_s;
      report(progress);
    });
    auto result = phase_result(phase, request, std::move(timed));
    progress.step = "query";
    progress.finished = true;
    progress.samples = static_cast<int>(result.samples_ms.size());
    progress.detail = fmt::format("p50 {:.3f} ms, p95 {:.3f} ms, {} plan", result.summary.p50,
                                  result.summary.p95, result.plan_kind);
    report(progress);
    results.queries[static_cast<std::size_t>(i)].phases.push_back(std::move(result));
  }
}

void BenchRunner::run_side_by_side(pg::PgSession& after, Results& results) {
  const int count = static_cast<int>(m_suite.queries.size());
  for (int i = 0; i < count; ++i) {
    const auto index = static_cast<std::size_t>(i);
    const auto& q = m_suite.queries[index];
    const auto before_request = timing_request(index, "before");
    const auto after_request = timing_request(index, "after");
    const int target = before_request.iterations + after_request.iterations;
    RunProgress progress{"query", "before|after", q.name, i + 1, count, 0, target, 0, false, ""};
    report(progress);
    auto timed = time_side_by_side(m_session, before_request, after, after_request,
                                   [&](const TimingProgress& p) {
                                     progress.step = "sample";
                                     progress.samples = p.samples;
                                     progress.eta_s = p.eta_s;
                                     report(progress);
                                   });
    auto before_result = phase_result("before", before_request, std::move(timed.first));
    auto after_result = phase_result("after", after_request, std::move(timed.second));
    progress.step = "query";
    progress.finished = true;
    progress.samples = static_cast<int>(before_result.samples_ms.size()); // as many after
    progress.detail = fmt::format(
        "p50 {:.3f} ms before, {:.3f} ms after ({} / {} plan){}", before_result.summary.p50,
        after_result.summary.p50, before_result.plan_kind, after_result.plan_kind,
        timed.on_one_cpu ? "" : "; not on one CPU: " + timed.one_cpu_note);
    report(progress);
    if (!timed.on_one_cpu && results.side_by_side_one_cpu_note.empty()) {
      results.side_by_side_one_cpu_note = timed.one_cpu_note;
    }
    results.side_by_side_one_cpu = results.side_by_side_one_cpu.value_or(true) && timed.on_one_cpu;
    results.queries[index].phases.push_back(std::move(before_result));
    results.queries[index].phases.push_back(std::move(after_result));
  }
}

TimingRequest BenchRunner::timing_request(std::size_t query, const std::string& phase) const {
  const auto& q = m_suite.queries[query];
  TimingRequest request;
  request.query = q.name;
  request.sql = q.sql_for(phase);
  request.params = m_params[query];
  request.seed = query_seed(m_suite.seed, q.name);
  request.writes = q.writes;
  request.warmup = m_suite.warmup_for(q);
  request.iterations = m_suite.iterations_for(q);
  request.time_budget_s = m_suite.time_budget_for(q);
  return request;
}

} // namespace preflight::bench
