#include "io/check/check_runner.h"

#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "core/check/schema_match.h"
#include "core/migrate/history.h"
#include "core/migrate/version_argument.h"
#include "core/plan/plan.h"
#include "core/sql/parsed_sql.h"
#include "io/drift/drift_run.h"
#include "io/read_limited.h"
#include "io/utc_time.h"

namespace preflight::check {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, separator)) out.push_back(part);
  return out;
}

std::string format_ms(double ms) {
  return ms < 1 ? fmt::format("{:.3f} ms", ms) : fmt::format("{:.2f} ms", ms);
}

const char* constraint_type(const std::string& code) {
  if (code == "f") return "foreign key";
  if (code == "u") return "unique";
  if (code == "p") return "primary key";
  if (code == "c") return "check";
  if (code == "x") return "exclusion";
  return "constraint";
}

// Rolls back the check's transaction however the check ends; nothing a check does is kept.
class ReadOnlyTransaction {
public:
  explicit ReadOnlyTransaction(pg::PgSession& session) : m_session(session) {}
  ~ReadOnlyTransaction() {
    try {
      m_session.try_exec("ROLLBACK");
    } catch (...) {
    }
  }
  ReadOnlyTransaction(const ReadOnlyTransaction&) = delete;
  ReadOnlyTransaction& operator=(const ReadOnlyTransaction&) = delete;

private:
  pg::PgSession& m_session;
};

} // namespace

std::vector<Check> load_checks(const std::string& path) {
  auto text = io::read_file_limited(path, io::k_checks_limit);
  if (!text) throw Error(ErrorKind::input, "checks file not found", {}, Location{path, 0, 0});
  return parse_checks(*text, path);
}

CheckRunner::CheckRunner(pg::PgSession& session, RunnerOptions options)
    : m_session(session), m_options(std::move(options)) {}

void CheckRunner::begin_read_only() {
  m_session.exec("BEGIN READ ONLY");
  m_session.exec(fmt::format("SET LOCAL statement_timeout = {}", m_options.statement_timeout_ms));
}

CheckReport CheckRunner::run(const std::vector<Check>& checks, const std::string& target) {
  CheckReport report;
  report.target = target;
  report.started_at = utc_iso8601_now();
  auto start = Clock::now();
  m_checks = &checks;
  m_first_samples.assign(checks.size(), {});
  std::vector<CheckResult> results(checks.size());

  // With a window, every index is sampled once before the other checks run and once after the
  // window: N index checks cost one window, not N.
  bool windowed = m_options.window_ms.has_value();
  if (windowed) {
    for (std::size_t i = 0; i < checks.size(); ++i) {
      if (checks[i].kind != CheckKind::index_used) continue;
      ReadOnlyTransaction tx(m_session);
      begin_read_only();
      m_first_samples[i] = sample_index(checks[i].index);
    }
  }
  auto window_start = Clock::now();
  for (std::size_t i = 0; i < checks.size(); ++i) {
    if (windowed && checks[i].kind == CheckKind::index_used) continue;
    results[i] = run_one(checks[i]);
  }
  if (windowed) {
    auto window_end = window_start + std::chrono::milliseconds(*m_options.window_ms);
    std::this_thread::sleep_until(window_end);
    for (std::size_t i = 0; i < checks.size(); ++i) {
      if (checks[i].kind == CheckKind::index_used) results[i] = run_one(checks[i]);
    }
  }
  report.results = std::move(results);
  report.duration_ms = ms_since(start);
  m_checks = nullptr;
  return report;
}

CheckResult CheckRunner::run_one(const Check& check) {
  CheckResult result;
  result.name = check.name;
  result.kind = to_string(check.kind);
  result.file = check.location.file;
  result.line = static_cast<int>(check.location.line);
  auto start = Clock::now();
  try {
    // A drift check reads the catalog in a READ ONLY transaction of its own and builds the
    // expected schema on a throwaway cluster: no statement_timeout applies to that.
    if (check.kind == CheckKind::drift) {
      run_drift(check, result);
      result.duration_ms = ms_since(start);
      return result;
    }
    ReadOnlyTransaction tx(m_session);
    begin_read_only();
    switch (check.kind) {
    case CheckKind::sql: run_sql(check, result); break;
    case CheckKind::index_used: run_index_used(check, result); break;
    case CheckKind::plan: run_plan(check, result); break;
    case CheckKind::schema: run_schema(check, result); break;
    case CheckKind::migration: run_migration(check, result); break;
    case CheckKind::statements: run_statements(check, result); break;
    case CheckKind::drift: break;
    }
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::connection) throw;
    // An SQL error or a statement timeout is this check's failure, not the run's.
    result.status = CheckStatus::failed;
    if (result.measured.empty()) result.measured = "error";
    // The statement is in the checks file already; keep PostgreSQL's message.
    auto message = e.message();
    result.detail = message.substr(0, message.find("\nin: "));
  }
  result.duration_ms = ms_since(start);
  return result;
}

void CheckRunner::run_sql(const Check& check, CheckResult& result) {
  result.expected = check.expect->describe();
  auto r = m_session.exec(check.query);
  ResultRows rows;
  for (int row = 0; row < r.rows(); ++row) {
    std::vector<std::optional<std::string>> cells;
    for (int column = 0; column < r.columns(); ++column)
      cells.push_back(r.get_optional(row, column));
    rows.push_back(std::move(cells));
  }
  auto evaluation = evaluate(*check.expect, rows);
  result.status = evaluation.passed ? CheckStatus::passed : CheckStatus::failed;
  result.measured = evaluation.measured;
  result.detail = evaluation.reason;
  result.data = {{"rows", r.rows()}, {"columns", r.columns()}};
}

CheckRunner::IndexSample CheckRunner::sample_index(const std::string& index) {
  // PostgreSQL 15 caches statistics for the rest of a transaction, so each sample gets its own.
  auto r = m_session.exec_params(
      "SELECT s.idx_scan, s.relname, "
      "coalesce((SELECT to_char(stats_reset AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
      "FROM pg_stat_database WHERE datname = current_database()), '') "
      "FROM pg_stat_user_indexes s WHERE s.indexrelid = to_regclass($1)",
      {index});
  IndexSample sample;
  if (r.rows() == 0) return sample;
  sample.found = true;
  sample.idx_scan = r.get_int(0, 0);
  sample.table = r.get(0, 1);
  sample.stats_reset = r.get(0, 2);
  return sample;
}

void CheckRunner::run_index_used(const Check& check, CheckResult& result) {
  auto sample = sample_index(check.index);
  auto index_of_check = static_cast<std::size_t>(&check - m_checks->data());
  bool windowed = m_options.window_ms.has_value();
  if (!sample.found || (windowed && !m_first_samples[index_of_check].found)) {
    result.status = CheckStatus::failed;
    result.measured = "missing";
    result.expected = "idx_scan > 0";
    result.detail = fmt::format("index {} does not exist (or is not on a user table)", check.index);
    return;
  }
  result.data = {{"index", check.index}, {"table", sample.table}, {"idx_scan", sample.idx_scan}};
  if (windowed) {
    const auto& first = m_first_samples[index_of_check];
    auto grown = sample.idx_scan - first.idx_scan;
    auto seconds = static_cast<double>(*m_options.window_ms) / 1000;
    result.expected = fmt::format("idx_scan grows within a {:g}s window", seconds);
    result.measured = fmt::format("idx_scan {} → {} (+{}) in {:g}s", first.idx_scan,
                                  sample.idx_scan, grown, seconds);
    result.status = grown > 0 ? CheckStatus::passed : CheckStatus::failed;
    if (grown <= 0)
      result.detail =
          "no scan of the index during the window: is the traffic that should use it running?";
    result.data["method"] = "window";
    result.data["window_ms"] = *m_options.window_ms;
    result.data["idx_scan_before"] = first.idx_scan;
    return;
  }
  std::string since = sample.stats_reset.empty()
                          ? "since statistics began (never reset)"
                          : "since the statistics reset at " + sample.stats_reset;
  result.expected = "idx_scan > 0 " + since;
  result.measured = fmt::format("idx_scan = {}", sample.idx_scan);
  result.status = sample.idx_scan > 0 ? CheckStatus::passed : CheckStatus::failed;
  if (sample.idx_scan <= 0) {
    result.detail = fmt::format(
        "the index has not been scanned {}; pass --window 30s to watch live traffic", since);
  }
  result.data["method"] = "since_reset";
  result.data["stats_reset"] = sample.stats_reset;
}

void CheckRunner::run_plan(const Check& check, CheckResult& result) {
  std::vector<std::string> expected;
  for (const auto& a : plan::check_plan(plan::Plan{}, check.plan)) expected.push_back(a.expected);
  result.expected = join(expected, "; ");
  std::string explain =
      check.analyze ? "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " : "EXPLAIN (FORMAT JSON) ";
  pg::Params params(check.params.begin(), check.params.end());
  auto r = m_session.exec_params(explain + check.query, params);
  auto document = nlohmann::json::parse(r.get(0, 0));
  auto plan = plan::parse_explain(document);
  auto assertions = plan::check_plan(plan, check.plan);
  std::vector<std::string> failed;
  auto list = nlohmann::json::array();
  for (const auto& a : assertions) {
    if (!a.passed) failed.push_back(fmt::format("{}: {}", a.name, a.actual));
    list.push_back(
        {{"name", a.name}, {"passed", a.passed}, {"expected", a.expected}, {"actual", a.actual}});
  }
  result.status = failed.empty() ? CheckStatus::passed : CheckStatus::failed;
  result.measured = join(plan.shape(), " > ");
  result.detail = join(failed, "\n");
  result.data = {{"analyze", check.analyze},
                 {"params", check.params},
                 {"assertions", list},
                 {"explain", document}};
}

void CheckRunner::run_schema(const Check& check, CheckResult& result) {
  const SchemaObject& o = check.object;
  result.expected = o.describe();
  SchemaMatch match;
  switch (o.kind) {
  case SchemaObject::Kind::table: {
    auto r = m_session.exec_params("SELECT c.oid::regclass::text, c.relkind::text FROM pg_class c "
                                   "WHERE c.oid = to_regclass($1)",
                                   {o.table});
    if (r.rows() == 0) {
      match.measured = "missing";
      match.detail = fmt::format("table {} does not exist", o.table);
    } else {
      bool table = r.get(0, 1) == "r" || r.get(0, 1) == "p";
      match.passed = table;
      match.measured = (table ? "table " : "relation (not a table) ") + r.get(0, 0);
    }
    break;
  }
  case SchemaObject::Kind::column: {
    auto r = m_session.exec_params(
        "SELECT format_type(a.atttypid, a.atttypmod), a.attnotnull, "
        "CASE WHEN $3::text IS NULL THEN true "
        "WHEN strpos($3, '(') > 0 THEN lower(format_type(a.atttypid, a.atttypmod)) = lower($3) "
        "ELSE a.atttypid IS NOT DISTINCT FROM to_regtype($3) END "
        "FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attname = $2 AND a.attnum > "
        "0 "
        "AND NOT a.attisdropped",
        {o.table, o.name, o.type ? std::optional<std::string>(*o.type) : std::nullopt});
    std::optional<ColumnFacts> facts;
    if (r.rows() > 0) facts = ColumnFacts{r.get(0, 0), r.get_bool(0, 2), r.get_bool(0, 1)};
    match = match_column(o, facts);
    break;
  }
  case SchemaObject::Kind::index: {
    auto r = m_session.exec_params(
        "SELECT i.indexrelid::regclass::text, i.indrelid::regclass::text, "
        "CASE WHEN $2 = '' THEN true ELSE i.indrelid IS NOT DISTINCT FROM to_regclass($2) END, "
        "i.indisunique, i.indisvalid, pg_get_indexdef(i.indexrelid, k, true), "
        "(i.indoption[k - 1] & 1) <> 0, (i.indoption[k - 1] & 2) <> 0 "
        "FROM pg_index i CROSS JOIN LATERAL generate_series(1, i.indnkeyatts) k "
        "WHERE CASE WHEN $1 = '' THEN i.indrelid = to_regclass($2) ELSE i.indexrelid = "
        "to_regclass($1) END "
        "ORDER BY 1, k",
        {o.name, o.table});
    std::map<std::string, IndexFacts> indexes;
    std::vector<std::string> order;
    for (int row = 0; row < r.rows(); ++row) {
      auto name = r.get(row, 0);
      if (!indexes.count(name)) order.push_back(name);
      auto& facts = indexes[name];
      facts.table = r.get(row, 1);
      facts.on_required_table = r.get_bool(row, 2);
      facts.unique = r.get_bool(row, 3);
      facts.valid = r.get_bool(row, 4);
      facts.columns.push_back(
          index_column_from_catalog(r.get(row, 5), r.get_bool(row, 6), r.get_bool(row, 7)));
    }
    if (order.empty()) {
      match = match_index(o, std::nullopt);
    } else {
      // An unnamed requirement is met by any index on the table that matches.
      for (const auto& name : order) {
        match = match_index(o, indexes[name]);
        if (o.name.empty()) match.measured = name + ": " + match.measured;
        if (match.passed) break;
      }
    }
    break;
  }
  case SchemaObject::Kind::constraint: {
    auto r = m_session.exec_params(
        "SELECT c.conrelid::regclass::text, c.contype::text, "
        "array_to_string(ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, o) "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o), "
        "chr(31)), "
        "CASE WHEN c.confrelid <> 0 THEN c.confrelid::regclass::text ELSE '' END, "
        "CASE WHEN $3 = '' THEN true ELSE c.confrelid IS NOT DISTINCT FROM to_regclass($3) END, "
        "c.confdeltype::text, c.convalidated "
        "FROM pg_constraint c WHERE c.conname = $1 AND ($2 = '' OR c.conrelid = to_regclass($2)) "
        "ORDER BY c.conrelid::regclass::text LIMIT 1",
        {o.name, o.table, o.references.value_or("")});
    std::optional<ConstraintFacts> facts;
    if (r.rows() > 0) {
      ConstraintFacts f;
      f.table = r.get(0, 0);
      f.type = constraint_type(r.get(0, 1));
      f.columns = split(r.get(0, 2), '\x1f');
      f.references = r.get(0, 3);
      f.references_required = r.get_bool(0, 4);
      auto action = r.get(0, 5);
      if (r.get(0, 1) == "f" && !action.empty()) f.on_delete = delete_action_name(action.front());
      f.validated = r.get_bool(0, 6);
      facts = f;
    }
    match = match_constraint(o, facts);
    break;
  }
  }
  result.status = match.passed ? CheckStatus::passed : CheckStatus::failed;
  result.measured = match.measured;
  result.detail = match.detail;
}

void CheckRunner::run_migration(const Check& check, CheckResult& result) {
  const std::string shown = migrate::shown_version(check.version, check.version_text);
  result.expected = fmt::format("{} applied{}, no failed rows, checksums match", shown,
                                check.newest ? " and newest" : "");
  if (m_options.migrations == nullptr) {
    throw Error(ErrorKind::internal, "migration check without the migrations folder");
  }
  const auto& files = *m_options.migrations;
  // A version no file has: -1, said below.
  const std::int64_t version =
      check.version_text.empty()
          ? check.version
          : migrate::try_version_argument(files, m_options.history.layout, check.version_text)
                .value_or(-1);
  auto table = migrate::open_history_table(m_session, m_options.history);
  table->pin_schema();
  auto status = migrate::compute_status(files, table->list(files));
  std::int64_t newest = 0;
  const migrate::StatusEntry* entry = nullptr;
  for (const auto& e : status) {
    if (e.applied && e.applied->success) newest = std::max(newest, e.version);
    if (e.version == version) entry = &e;
  }
  std::vector<std::string> problems;
  std::string state = entry ? migrate::to_string(entry->state) : "unknown";
  auto history = migrate::history_problems(status);
  const std::string newest_shown = files.shown_version(newest);
  if (!entry) {
    problems.push_back(
        fmt::format("version {} is neither in the migrations folder nor in the history", shown));
  } else if (entry->state == migrate::MigrationState::pending ||
             entry->state == migrate::MigrationState::pending_out_of_order) {
    problems.push_back(fmt::format("migration {} is not applied", shown));
  }
  if (check.newest && newest != version) {
    problems.push_back(
        fmt::format("the newest applied migration is {}, not {}", newest_shown, shown));
  }
  // Failed rows, edited and missing files: any of them (not only V's) means history is not
  // trustworthy.
  for (const auto& p : history) problems.push_back(p.message());
  result.status = problems.empty() ? CheckStatus::passed : CheckStatus::failed;
  result.measured = fmt::format("at version {}; {} {}; {} history problem{}", newest_shown, shown,
                                state, history.size(), history.size() == 1 ? "" : "s");
  result.detail = join(problems, "\n");
  result.data = {{"version", version}, {"newest_applied", newest}, {"state", state}};
  if (!check.version_text.empty()) result.data["version_text"] = check.version_text;
}

void CheckRunner::run_statements(const Check& check, CheckResult& result) {
  result.expected = fmt::format("mean < {} over >= {} call{}", format_ms(check.max_mean_ms),
                                check.min_calls, check.min_calls == 1 ? "" : "s");
  auto installed =
      m_session.exec("SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'");
  if (installed.rows() == 0) {
    result.status = check.optional ? CheckStatus::skipped : CheckStatus::failed;
    result.measured = "pg_stat_statements not installed";
    result.detail =
        "pg_stat_statements is not installed in this database (it needs shared_preload_libraries = "
        "'pg_stat_statements' and CREATE EXTENSION pg_stat_statements)";
    if (!check.optional) result.detail += "; mark the check `optional = true` to skip it instead";
    return;
  }
  // pg_stat_statements' queryid is not libpg_query's fingerprint: fingerprint each normalised
  // query text instead, so the check's `$1` SQL finds the row its constants were replaced in.
  auto wanted = sql::fingerprint(check.query);
  auto r = m_session.exec("SELECT query, calls, total_exec_time FROM pg_stat_statements "
                          "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = "
                          "current_database()) AND query IS NOT NULL");
  std::int64_t calls = 0;
  double total_ms = 0;
  int matched = 0;
  for (int row = 0; row < r.rows(); ++row) {
    std::string fp;
    try {
      fp = sql::fingerprint(r.get(row, 0));
    } catch (const Error&) {
      continue; // truncated or utility text that does not parse cannot be the check's statement
    }
    if (fp != wanted) continue;
    ++matched;
    calls += r.get_int(row, 1);
    total_ms += std::stod(r.get(row, 2));
  }
  result.data = {
      {"fingerprint", wanted}, {"rows_matched", matched}, {"calls", calls}, {"total_ms", total_ms}};
  if (matched == 0 || calls == 0) {
    result.status = CheckStatus::failed;
    result.measured = "no matching statement";
    result.detail = fmt::format(
        "no pg_stat_statements row of this database has fingerprint {} ({} rows searched)", wanted,
        r.rows());
    return;
  }
  double mean = total_ms / static_cast<double>(calls);
  result.data["mean_ms"] = mean;
  result.measured =
      fmt::format("mean {} over {} call{}", format_ms(mean), calls, calls == 1 ? "" : "s");
  std::vector<std::string> problems;
  if (calls < check.min_calls)
    problems.push_back(fmt::format("only {} calls, fewer than {}", calls, check.min_calls));
  if (!(mean < check.max_mean_ms))
    problems.push_back(
        fmt::format("mean {} is not below {}", format_ms(mean), format_ms(check.max_mean_ms)));
  result.status = problems.empty() ? CheckStatus::passed : CheckStatus::failed;
  result.detail = join(problems, "\n");
}

void CheckRunner::run_drift(const Check& check, CheckResult& result) {
  if (m_options.migrations == nullptr) {
    throw Error(ErrorKind::internal, "drift check without the migrations folder");
  }
  drift::DriftRequest request;
  request.history = m_options.history;
  request.to = check.to; // resolved against the files by the check command
  request.compare.comments = check.comments;
  for (const auto& pattern : check.ignore) request.compare.ignore.emplace_back(pattern);
  auto outcome = drift::run_drift(m_session, *m_options.migrations, request);
  result.expected = outcome.summary.migrations == 0
                        ? std::string("the schema of no migrations")
                        : fmt::format("the schema of the migrations up to version {}",
                                      m_options.migrations->shown_version(outcome.summary.version));
  const auto count = outcome.differences.size();
  result.measured = count == 0 ? std::string("no drift")
                               : fmt::format("{} difference{}", count, count == 1 ? "" : "s");
  result.status = count == 0 ? CheckStatus::passed : CheckStatus::failed;
  std::vector<std::string> lines;
  for (const auto& d : outcome.differences) {
    lines.push_back(fmt::format("{} {}: {}{}", d.kind, d.object,
                                d.aspect.empty() ? drift::to_string(d.change) : d.aspect,
                                d.explanation.empty() ? "" : " (" + d.explanation + ")"));
  }
  result.detail = join(lines, "\n");
  result.data =
      drift::render_json(outcome.differences, outcome.summary, outcome.timings, nullptr, nullptr);
}

} // namespace preflight::check
