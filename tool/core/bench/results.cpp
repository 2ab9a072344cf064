#include "core/bench/results.h"

#include "core/json_integer.h"

#include <cmath>
#include <set>

#include <fmt/format.h>

#include "core/error.h"

namespace preflight::bench {

const PhaseResult* QueryResult::find_phase(const std::string& phase) const {
  for (const auto& p : phases) {
    if (p.phase == phase) return &p;
  }
  return nullptr;
}

const QueryResult* Results::find_query(const std::string& name) const {
  for (const auto& q : queries) {
    if (q.name == name) return &q;
  }
  return nullptr;
}

bool Results::passed() const {
  for (const auto& v : verdicts) {
    if (!v.passed && !v.informational) return false;
  }
  return true;
}

namespace {

using nlohmann::json;

json summary_json(const stats::Summary& s) {
  return {{"count", s.count},      {"min_ms", s.min}, {"max_ms", s.max}, {"mean_ms", s.mean},
          {"stddev_ms", s.stddev}, {"p50_ms", s.p50}, {"p95_ms", s.p95}, {"p99_ms", s.p99}};
}

json interval_json(const stats::Interval& i) {
  return {{"estimate", i.estimate}, {"low", i.low}, {"high", i.high}};
}

// Reading with the JSON path in every error, so a hand-edited baseline says what is wrong.
class Reader {
public:
  Reader(const json& node, std::string path) : m_node(node), m_path(std::move(path)) {
    if (!m_node.is_object()) fail("", "an object");
  }

  template <class T> T get(const std::string& key) const {
    if (!m_node.contains(key)) fail(key, "present");
    try {
      if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
        return json_integer<T>(m_node.at(key));
      } else {
        return m_node.at(key).get<T>();
      }
    } catch (const json::exception&) {
      fail(key, "of the right type");
    }
  }

  template <class T> T get_or(const std::string& key, T fallback) const {
    if (!m_node.contains(key) || m_node.at(key).is_null()) return fallback;
    return get<T>(key);
  }

  const json& raw(const std::string& key) const {
    if (!m_node.contains(key)) fail(key, "present");
    return m_node.at(key);
  }
  bool has(const std::string& key) const {
    return m_node.contains(key) && !m_node.at(key).is_null();
  }
  Reader child(const std::string& key) const { return Reader(raw(key), m_path + "." + key); }
  std::vector<Reader> items(const std::string& key) const {
    const json& array = raw(key);
    if (!array.is_array()) fail(key, "an array");
    std::vector<Reader> out;
    for (std::size_t i = 0; i < array.size(); ++i)
      out.emplace_back(array[i], fmt::format("{}.{}[{}]", m_path, key, i));
    return out;
  }

  /// Throws the error for `key` (e.g. "samples_ms[3]") unless `ok`.
  void require(bool ok, const std::string& key, const char* what) const {
    if (!ok) fail(key, what);
  }

private:
  [[noreturn]] void fail(const std::string& key, const char* what) const {
    throw Error(
        ErrorKind::input,
        fmt::format("results file: {}{}{} must be {}", m_path, key.empty() ? "" : ".", key, what),
        "was it written by `preflight bench run`?");
  }

  const json& m_node;
  std::string m_path;
};

stats::Summary read_summary(const Reader& r) {
  stats::Summary s;
  s.count = r.get<std::size_t>("count");
  s.min = r.get<double>("min_ms");
  s.max = r.get<double>("max_ms");
  s.mean = r.get<double>("mean_ms");
  s.stddev = r.get<double>("stddev_ms");
  s.p50 = r.get<double>("p50_ms");
  s.p95 = r.get<double>("p95_ms");
  s.p99 = r.get<double>("p99_ms");
  return s;
}

stats::Interval read_interval(const Reader& r) {
  return {r.get<double>("estimate"), r.get<double>("low"), r.get<double>("high")};
}

json load_json(const LoadRun& run) {
  json statements = json::array();
  for (const auto& s : run.statements) {
    statements.push_back({{"version", s.version},
                          {"file", s.file},
                          {"line", s.line},
                          {"statement", s.text},
                          {"start_s", s.start_s},
                          {"end_s", s.end_s},
                          {"failed", s.failed}});
  }
  json operations = json::array();
  for (const auto& o : run.operations) {
    json phases = json::array();
    for (const auto& p : o.phases) {
      phases.push_back({{"phase", p.phase},
                        {"seconds", p.seconds},
                        {"operations", p.operations},
                        {"errors", p.errors},
                        {"throughput", p.throughput},
                        {"p50_ms", p.p50_ms},
                        {"p99_ms", p.p99_ms},
                        {"max_ms", p.max_ms},
                        {"service_p50_ms", p.service_p50_ms},
                        {"service_p99_ms", p.service_p99_ms}});
    }
    // Buckets as rows of numbers: a 60 s run has 600 per operation.
    json timeline = json::array();
    for (const auto& b : o.timeline)
      timeline.push_back({b.start_s, b.operations, b.errors, b.p50_ms, b.p99_ms, b.max_ms});
    operations.push_back(
        {{"name", o.name},
         {"weight", o.weight},
         {"clients", o.clients},
         {"writes", o.writes},
         {"operations", o.operations},
         {"errors", o.errors},
         {"p99_ms", o.p99_ms ? json(*o.p99_ms) : json(nullptr)},
         {"longest_stall_ms", o.longest_stall_ms},
         {"longest_stall_at_s", o.longest_stall_at_s},
         {"blocked_ms", o.blocked_ms},
         {"phases", phases},
         {"timeline_columns", {"start_s", "operations", "errors", "p50_ms", "p99_ms", "max_ms"}},
         {"timeline", timeline}});
  }
  json blocking = json::array();
  for (const auto& b : run.blocking) {
    blocking.push_back({{"operation", b.operation},
                        {"statement", b.statement},
                        {"relation", b.relation},
                        {"mode", b.mode},
                        {"blocked_ms", b.blocked_ms},
                        {"samples", b.samples}});
  }
  auto optional = [](const std::optional<double>& v) { return v ? json(*v) : json(nullptr); };
  return {{"rate", run.rate},
          {"clients", run.clients},
          {"before_s", run.before_s},
          {"after_s", run.after_s},
          {"max_operations", run.max_operations},
          {"max_duration_s", run.max_duration_s},
          {"bucket_ms", run.bucket_ms},
          {"sample_interval_ms", run.sample_interval_ms},
          {"duration_s", run.duration_s},
          {"migration_start_s", optional(run.migration_start_s)},
          {"migration_end_s", optional(run.migration_end_s)},
          {"migration_outcome", run.migration_outcome},
          {"stop_reason", run.stop_reason},
          {"executions", run.executions},
          {"achieved_rate", run.achieved_rate},
          {"watcher_samples", run.watcher_samples},
          {"statements", statements},
          {"operations", operations},
          {"blocking", blocking}};
}

LoadRun read_load(const Reader& r) {
  LoadRun run;
  run.rate = r.get<double>("rate");
  run.clients = r.get<int>("clients");
  run.before_s = r.get_or<double>("before_s", 0);
  run.after_s = r.get_or<double>("after_s", 0);
  run.max_operations = r.get_or<std::int64_t>("max_operations", 0);
  run.max_duration_s = r.get_or<double>("max_duration_s", 0);
  run.bucket_ms = r.get_or<double>("bucket_ms", 100);
  r.require(std::isfinite(run.bucket_ms) && run.bucket_ms > 0, "bucket_ms", "positive");
  run.sample_interval_ms = r.get_or<double>("sample_interval_ms", 10);
  run.duration_s = r.get<double>("duration_s");
  if (r.has("migration_start_s")) run.migration_start_s = r.get<double>("migration_start_s");
  if (r.has("migration_end_s")) run.migration_end_s = r.get<double>("migration_end_s");
  run.migration_outcome = r.get_or<std::string>("migration_outcome", "");
  run.stop_reason = r.get_or<std::string>("stop_reason", "");
  run.executions = r.get_or<std::int64_t>("executions", 0);
  run.achieved_rate = r.get_or<double>("achieved_rate", 0);
  run.watcher_samples = r.get_or<std::int64_t>("watcher_samples", 0);
  for (const auto& s : r.items("statements")) {
    run.statements.push_back({s.get<std::int64_t>("version"), s.get_or<std::string>("file", ""),
                              s.get_or<std::uint32_t>("line", 0),
                              s.get_or<std::string>("statement", ""), s.get<double>("start_s"),
                              s.get<double>("end_s"), s.get_or<bool>("failed", false)});
  }
  for (const auto& o : r.items("operations")) {
    LoadOperation op;
    op.name = o.get<std::string>("name");
    op.weight = o.get_or<double>("weight", 1);
    op.clients = o.get_or<int>("clients", 0);
    op.writes = o.get_or<bool>("writes", false);
    op.operations = o.get<std::int64_t>("operations");
    op.errors = o.get_or<std::map<std::string, std::int64_t>>("errors", {});
    if (o.has("p99_ms")) op.p99_ms = o.get<double>("p99_ms");
    op.longest_stall_ms = o.get<double>("longest_stall_ms");
    op.longest_stall_at_s = o.get_or<double>("longest_stall_at_s", 0);
    op.blocked_ms = o.get_or<double>("blocked_ms", 0);
    for (const auto& p : o.items("phases")) {
      op.phases.push_back(
          {p.get<std::string>("phase"), p.get<double>("seconds"), p.get<std::int64_t>("operations"),
           p.get<std::int64_t>("errors"), p.get<double>("throughput"), p.get<double>("p50_ms"),
           p.get<double>("p99_ms"), p.get<double>("max_ms"), p.get_or<double>("service_p50_ms", 0),
           p.get_or<double>("service_p99_ms", 0)});
    }
    const auto rows = o.get<std::vector<std::vector<double>>>("timeline");
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto& b = rows[i];
      o.require(b.size() == 6, fmt::format("timeline[{}]", i),
                "[start_s, operations, errors, p50_ms, p99_ms, max_ms]");
      op.timeline.push_back({b[0], static_cast<std::int64_t>(b[1]), static_cast<std::int64_t>(b[2]),
                             b[3], b[4], b[5]});
    }
    run.operations.push_back(std::move(op));
  }
  for (const auto& b : r.items("blocking")) {
    run.blocking.push_back({b.get<std::string>("operation"), b.get<int>("statement"),
                            b.get_or<std::string>("relation", ""),
                            b.get_or<std::string>("mode", ""), b.get<double>("blocked_ms"),
                            b.get_or<std::int64_t>("samples", 0)});
  }
  return run;
}

} // namespace

json to_json(const Results& results) {
  const auto& e = results.environment;
  json environment{
      {"server_version", e.server_version},
      {"server_version_num", e.server_version_num},
      {"settings", e.settings},
      {"host_name", e.host_name},
      {"cpus", e.cpus},
      {"os", e.os},
      {"throwaway_cluster", e.throwaway_cluster},
      {"durable", e.durable},
      {"preflight_version", e.preflight_version},
      {"started_at", e.started_at},
      {"cpu_wakeup_held", e.cpu_wakeup_held ? json(*e.cpu_wakeup_held) : json(nullptr)},
      {"cpu_wakeup_note", e.cpu_wakeup_note}};
  json queries = json::array();
  for (const auto& q : results.queries) {
    json phases = json::array();
    for (const auto& p : q.phases) {
      phases.push_back({{"phase", p.phase},
                        {"sql", p.sql},
                        {"summary", summary_json(p.summary)},
                        {"plan_kind", p.plan_kind},
                        {"warmup_executions", p.warmup_executions},
                        {"sampling_seconds", p.sampling_seconds},
                        {"explain", p.explain},
                        {"explain_params", p.explain_params},
                        {"samples_ms", p.samples_ms}});
    }
    json query{{"name", q.name}, {"claim", q.claim}, {"writes", q.writes}, {"phases", phases}};
    query["improvement"] = q.improvement ? interval_json(*q.improvement) : json(nullptr);
    query["min_effect"] = q.min_effect ? json(*q.min_effect) : json(nullptr);
    queries.push_back(std::move(query));
  }
  json verdicts = json::array();
  for (const auto& v : results.verdicts) {
    verdicts.push_back({{"query", v.query},
                        {"phase", v.phase},
                        {"kind", v.kind},
                        {"name", v.name},
                        {"passed", v.passed},
                        {"expected", v.expected},
                        {"actual", v.actual},
                        {"informational", v.informational}});
  }
  json document{{"schema_version", results.schema_version},
                {"suite",
                 {{"name", results.suite_name},
                  {"file", results.suite_file},
                  {"scale", results.scale},
                  {"seed", results.seed}}},
                {"side_by_side", results.side_by_side},
                {"environment", environment},
                {"queries", queries},
                {"verdicts", verdicts}};
  if (results.side_by_side) {
    document["side_by_side_one_cpu"] =
        results.side_by_side_one_cpu ? json(*results.side_by_side_one_cpu) : json(nullptr);
    document["side_by_side_one_cpu_note"] = results.side_by_side_one_cpu_note;
  }
  if (results.migration) {
    const auto& m = *results.migration;
    document["migration"] = {
        {"version", m.version},
        {"description", m.description},
        {"checksum", m.checksum},
        {"duration_ns", m.duration_ns},
        {"lock_trace", m.lock_trace ? migrate::to_json(*m.lock_trace) : json::array()}};
  } else {
    document["migration"] = nullptr;
  }
  if (results.load) document["load"] = load_json(*results.load);
  return document;
}

namespace {

// The typed trace, or nullopt for the empty array a run without a traced migration leaves.
std::optional<migrate::LockTrace> read_lock_trace(const json& node) {
  if (node.is_array() && node.empty()) return std::nullopt;
  try {
    return migrate::lock_trace_from_json(node);
  } catch (const Error& e) {
    throw Error(ErrorKind::input, "results file: $.migration.lock_trace: " + e.message(),
                "was it written by `preflight bench run`?");
  }
}

} // namespace

Results results_from_json(const json& document) {
  Reader root(document, "$");
  Results results;
  results.schema_version = root.get<int>("schema_version");
  if (results.schema_version != k_results_schema_version) {
    throw Error(ErrorKind::input,
                fmt::format("results file has schema_version {}; this preflight reads version {}",
                            results.schema_version, k_results_schema_version));
  }
  auto suite = root.child("suite");
  results.suite_name = suite.get<std::string>("name");
  results.suite_file = suite.get_or<std::string>("file", "");
  results.scale = suite.get_or<double>("scale", 1);
  suite.require(std::isfinite(results.scale) && results.scale > 0, "scale", "a positive number");
  results.seed = suite.get_or<std::uint64_t>("seed", 0);
  results.side_by_side = root.get_or<bool>("side_by_side", false);
  if (root.has("side_by_side_one_cpu")) {
    results.side_by_side_one_cpu = root.get<bool>("side_by_side_one_cpu");
  }
  results.side_by_side_one_cpu_note = root.get_or<std::string>("side_by_side_one_cpu_note", "");

  auto env = root.child("environment");
  auto& e = results.environment;
  e.server_version = env.get<std::string>("server_version");
  e.server_version_num = env.get_or<int>("server_version_num", 0);
  e.settings = env.get_or<std::map<std::string, std::string>>("settings", {});
  e.host_name = env.get_or<std::string>("host_name", "");
  e.cpus = env.get_or<int>("cpus", 0);
  e.os = env.get_or<std::string>("os", "");
  e.throwaway_cluster = env.get_or<bool>("throwaway_cluster", false);
  e.durable = env.get_or<bool>("durable", true);
  e.preflight_version = env.get_or<std::string>("preflight_version", "");
  e.started_at = env.get_or<std::string>("started_at", "");
  if (env.has("cpu_wakeup_held")) e.cpu_wakeup_held = env.get<bool>("cpu_wakeup_held");
  e.cpu_wakeup_note = env.get_or<std::string>("cpu_wakeup_note", "");

  // Rows are matched by query name and phase, and every statistic divides by the samples: a
  // file that breaks either would be compared wrongly rather than refused.
  std::set<std::string> query_names;
  for (const auto& q : root.items("queries")) {
    QueryResult query;
    query.name = q.get<std::string>("name");
    q.require(query_names.insert(query.name).second, "name", "unique (another query has it)");
    query.claim = q.get_or<std::string>("claim", "");
    query.writes = q.get_or<bool>("writes", false);
    std::set<std::string> phase_names;
    for (const auto& p : q.items("phases")) {
      PhaseResult phase;
      phase.phase = p.get<std::string>("phase");
      p.require(phase_names.insert(phase.phase).second, "phase",
                "unique in its query (another phase has it)");
      phase.sql = p.get_or<std::string>("sql", "");
      phase.samples_ms = p.get<std::vector<double>>("samples_ms");
      p.require(!phase.samples_ms.empty(), "samples_ms", "a non-empty array (a measured phase)");
      for (std::size_t i = 0; i < phase.samples_ms.size(); ++i) {
        p.require(std::isfinite(phase.samples_ms[i]) && phase.samples_ms[i] > 0,
                  fmt::format("samples_ms[{}]", i), "a positive number of milliseconds");
      }
      phase.summary =
          p.has("summary") ? read_summary(p.child("summary")) : stats::summarize(phase.samples_ms);
      phase.plan_kind = p.get_or<std::string>("plan_kind", "");
      phase.warmup_executions = p.get_or<std::int64_t>("warmup_executions", 0);
      phase.sampling_seconds = p.get_or<double>("sampling_seconds", 0);
      if (p.has("explain")) phase.explain = p.raw("explain");
      phase.explain_params = p.get_or<std::vector<std::string>>("explain_params", {});
      query.phases.push_back(std::move(phase));
    }
    if (q.has("improvement")) query.improvement = read_interval(q.child("improvement"));
    if (q.has("min_effect")) {
      query.min_effect = q.get<double>("min_effect");
      q.require(std::isfinite(*query.min_effect) && *query.min_effect > 0, "min_effect",
                "a positive fraction (0.1 = 10 %) or null");
    }
    results.queries.push_back(std::move(query));
  }
  for (const auto& v : root.items("verdicts")) {
    results.verdicts.push_back({v.get<std::string>("query"), v.get_or<std::string>("phase", ""),
                                v.get<std::string>("kind"), v.get<std::string>("name"),
                                v.get<bool>("passed"), v.get_or<std::string>("expected", ""),
                                v.get_or<std::string>("actual", ""),
                                v.get_or<bool>("informational", false)});
  }
  if (root.has("migration")) {
    auto m = root.child("migration");
    MigrationStep step;
    step.version = m.get<std::int64_t>("version");
    step.description = m.get_or<std::string>("description", "");
    step.checksum = m.get_or<std::string>("checksum", "");
    step.duration_ns = m.get_or<std::int64_t>("duration_ns", 0);
    if (m.has("lock_trace")) step.lock_trace = read_lock_trace(m.raw("lock_trace"));
    results.migration = std::move(step);
  }
  if (root.has("load")) results.load = read_load(root.child("load"));
  return results;
}

} // namespace preflight::bench
