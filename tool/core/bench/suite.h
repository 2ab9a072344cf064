#pragma once
// The benchmark suite model (benchmarks/*.toml): the migration under test, the dataset, the
// queries with their parameter generators, and what is expected of each phase. Parsing is pure;
// io/bench/suite_file reads the files. Every key is documented in docs/bench.md ("Suite files").

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bench/generators.h"
#include "core/error.h"
#include "core/plan/plan.h"

namespace preflight::bench {

/// What one phase ("before" or "after") of a query runs and must satisfy.
struct PhaseSpec {
  std::optional<std::string> sql; // replaces the query's `sql` in this phase
  plan::PlanExpectation plan;
  std::optional<double> p50_ms;
  std::optional<double> p95_ms;
  std::optional<double> p99_ms;
};

/// What `bench load` expects of one operation under traffic while the migration runs
/// ([queries.load]); unset limits are not checked.
struct LoadSpec {
  std::optional<double> max_stall_ms;     // longest stall of the operation
  std::optional<std::int64_t> max_errors; // failed executions, any SQLSTATE
  std::optional<double> max_p99_ms;       // p99 latency from scheduled start, whole run
  bool empty() const { return !max_stall_ms && !max_errors && !max_p99_ms; }
};

struct QuerySpec {
  std::string name;
  std::string sql;                   // one statement with $1…$n
  std::vector<GeneratorSpec> params; // one per $n, in order
  bool writes = false;               // each execution in a transaction that is rolled back
  std::string claim;                 // documented claim, as text
  std::optional<double> min_effect;  // regression threshold for `bench compare` (0.10 = 10 %)
  std::optional<double> improvement; // minimum median(before) / median(after)
  std::optional<int> warmup;
  std::optional<int> iterations;
  std::optional<double> time_budget_s;
  PhaseSpec before;
  PhaseSpec after;
  double weight = 1; // share of `bench load` traffic, relative to the other queries' weights
  LoadSpec load;
  Location location; // the [[queries]] table

  /// The SQL timed in `phase` ("before"/"after").
  const std::string& sql_for(const std::string& phase) const;
  const PhaseSpec& phase(const std::string& phase_name) const {
    return phase_name == "before" ? before : after;
  }
};

struct RunDefaults {
  int warmup = 10;           // executions before sampling (at least 6: plan cache decision)
  int iterations = 1000;     // timed executions per query and phase, at most
  double time_budget_s = 10; // seconds of timed executions per query and phase, at most
};

/// The smallest warm-up allowed: PostgreSQL uses custom plans for the first five executions of
/// a prepared statement, then may switch to the generic plan.
inline constexpr int k_min_warmup = 6;

struct Suite {
  std::string name;
  std::string file;       // as given
  std::string migrations; // folder, resolved against the suite's folder
  std::int64_t before = 0;
  std::int64_t after = 0;
  // `before`/`after` given as text ("1.2", a Flyway version): resolved against the migrations
  // when the suite is loaded (check_suite_migrations), which sets `before`/`after`.
  std::string before_text, after_text;
  Location migrations_location, before_location, after_location; // the keys in the file
  std::string dataset_sql;                 // inline `sql`, or filled from `dataset_file`
  std::optional<std::string> dataset_file; // resolved against the suite's folder
  Location dataset_file_location;
  double scale = 1;
  std::uint64_t seed = 1;
  RunDefaults defaults;
  std::vector<QuerySpec> queries;

  /// Query settings with the defaults (and command-line overrides) applied.
  int warmup_for(const QuerySpec& query) const;
  int iterations_for(const QuerySpec& query) const;
  double time_budget_for(const QuerySpec& query) const;
  /// True when some query has writes = true.
  bool has_writes() const;
};

/// Parses a suite file's text; `path` names it in errors and anchors relative paths. Throws one
/// Error(input) carrying every problem found (unknown keys, wrong types, bad generators,
/// parameter counts that do not match the SQL), each located at file:line:column.
Suite parse_suite(std::string_view text, const std::string& path);

/// `sql` with every `{scale}` replaced by `scale` (e.g. "0.2").
std::string substitute_scale(const std::string& sql, double scale);

/// The highest $n parameter in `sql`, ignoring quoted strings, quoted identifiers and comments.
int max_parameter(std::string_view sql);

/// Checks dataset SQL (`{scale}` tokens allowed) with PostgreSQL's parser; throws Error(input)
/// located at the line and column inside `sql`, the file left for the caller to fill in.
void check_dataset_sql(const std::string& sql);

} // namespace preflight::bench
