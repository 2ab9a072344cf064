#include "core/bench/suite.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "core/config/toml_document.h"
#include "core/sql/parsed_sql.h"
#include "core/sql/read_only.h"

namespace preflight::bench {

const std::string& QuerySpec::sql_for(const std::string& phase_name) const {
  const auto& p = phase(phase_name);
  return p.sql ? *p.sql : sql;
}

int Suite::warmup_for(const QuerySpec& query) const {
  return query.warmup.value_or(defaults.warmup);
}
int Suite::iterations_for(const QuerySpec& query) const {
  return query.iterations.value_or(defaults.iterations);
}
double Suite::time_budget_for(const QuerySpec& query) const {
  return query.time_budget_s.value_or(defaults.time_budget_s);
}
bool Suite::has_writes() const {
  return std::any_of(queries.begin(), queries.end(), [](const QuerySpec& q) { return q.writes; });
}

std::string substitute_scale(const std::string& sql, double scale) {
  const std::string token = "{scale}";
  const std::string value = fmt::format("{:g}", scale);
  std::string out;
  std::size_t start = 0;
  for (auto at = sql.find(token); at != std::string::npos; at = sql.find(token, start)) {
    out.append(sql, start, at - start).append(value);
    start = at + token.size();
  }
  return out.append(sql, start);
}

int max_parameter(std::string_view sql) {
  int highest = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (c == '\'' || c == '"') {
      auto end = sql.find(c, i + 1);
      i = end == std::string_view::npos ? sql.size() : end;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      auto end = sql.find('\n', i);
      i = end == std::string_view::npos ? sql.size() : end;
    } else if (c == '$' && i + 1 < sql.size() &&
               std::isdigit(static_cast<unsigned char>(sql[i + 1]))) {
      int n = 0;
      while (i + 1 < sql.size() && std::isdigit(static_cast<unsigned char>(sql[i + 1])) &&
             n < 100000) {
        n = n * 10 + (sql[++i] - '0');
      }
      highest = std::max(highest, n);
    }
  }
  return highest;
}

namespace {

// `{scale}` stands for a number when SQL is only parsed.
std::vector<sql::Statement> split_scaled(const std::string& sql) {
  return sql::split_statements(substitute_scale(sql, 1));
}

} // namespace

void check_dataset_sql(const std::string& sql) {
  split_scaled(sql);
}

namespace {

// The parser's message with its position inside SQL held in a TOML string (the file position
// of the string itself is the error's location).
std::string with_sql_position(const Error& e) {
  const auto& at = e.location();
  if (!at || at->line == 0) return e.message();
  return fmt::format("{} (line {}, column {} of the SQL)", e.message(), at->line, at->column);
}

// What keeps `sql` from running as one prepared statement, found by PostgreSQL's own parser
// before anything runs: a typo would otherwise surface only after the migrations and the
// dataset load, as a server error.
std::optional<std::string> statement_problem(const std::string& sql) {
  std::vector<sql::Statement> statements;
  try {
    statements = split_scaled(sql);
  } catch (const Error& e) {
    return with_sql_position(e);
  }
  if (statements.empty()) return "the SQL is empty";
  if (statements.size() > 1) {
    return fmt::format("the SQL has {} statements; it must be one (it is prepared and executed "
                       "as one)",
                       statements.size());
  }
  return std::nullopt;
}

// Why `sql` (one statement that parses) is not a read-only query, or nullopt.
std::optional<std::string> write_problem(const std::string& sql) {
  const auto statements = sql::parse_statements(substitute_scale(sql, 1));
  return statements.size() == 1 ? sql::not_read_only(statements.front()) : std::nullopt;
}

// The first of $1…$`count` that `sql` does not use, or 0.
std::int64_t first_unused_parameter(const std::string& sql, std::int64_t count) {
  std::set<std::int64_t> used;
  for (const auto& statement : sql::parse_statements(substitute_scale(sql, 1)))
    used.merge(sql::parameter_numbers(statement.tree));
  for (std::int64_t n = 1; n <= count; ++n) {
    if (!used.contains(n)) return n;
  }
  return 0;
}

bool has_control_character(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
  });
}

std::string folder_of(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
}

std::string resolve(const std::string& base_file, const std::string& relative) {
  if (!relative.empty() && relative.front() == '/') return relative;
  return folder_of(base_file) + relative;
}

// Collects every problem (mold-style) and reports them together at the end.
class SuiteParser {
public:
  explicit SuiteParser(std::string path) : m_path(std::move(path)) {}

  Suite parse(std::string_view text) {
    const toml::table root = config::parse_toml(text, m_path);
    Suite suite;
    suite.file = m_path;
    bool has_migrations = false, has_before = false, has_after = false;
    for (auto&& [key, node] : root) {
      const std::string name(key.str());
      if (name == "name") {
        string(node, name, suite.name);
      } else if (name == "migrations") {
        has_migrations = true;
        suite.migrations_location = where(key.source());
        string(node, name, suite.migrations);
        suite.migrations = resolve(m_path, suite.migrations);
      } else if (name == "before") {
        has_before = true;
        suite.before_location = where(key.source());
        version(node, name, suite.before, suite.before_text);
      } else if (name == "after") {
        has_after = true;
        suite.after_location = where(key.source());
        version(node, name, suite.after, suite.after_text);
      } else if (name == "seed") {
        std::int64_t seed = 0;
        if (integer(node, name, seed)) suite.seed = static_cast<std::uint64_t>(seed);
      } else if (name == "scale") {
        if (number(node, name, suite.scale) && suite.scale <= 0)
          problem(node, "`scale` must be positive");
      } else if (name == "dataset") {
        dataset(node, suite);
      } else if (name == "defaults") {
        defaults(node, suite.defaults);
      } else if (name == "queries") {
        queries(node, suite);
      } else {
        unknown(key, name,
                "name, migrations, before, after, seed, scale, [dataset], [defaults], [[queries]]");
      }
    }
    const toml::source_region top{};
    if (suite.name.empty()) suite.name = m_path;
    if (!has_migrations) missing(top, "migrations");
    if (!has_before) missing(top, "before");
    if (!has_after) missing(top, "after");
    if (suite.before > 0 && suite.after > 0 && suite.after <= suite.before) {
      problem(*root.get("after"), "`after` must be a later version than `before`");
    }
    if (suite.queries.empty() && !root.contains("queries")) missing(top, "[[queries]]");
    if (!m_errors.empty()) throw Error::combine(std::move(m_errors));
    return suite;
  }

private:
  Location where(const toml::source_region& region) const {
    return Location{m_path, static_cast<std::uint32_t>(region.begin.line),
                    static_cast<std::uint32_t>(region.begin.column)};
  }
  void problem(const toml::node& node, std::string message, std::string hint = {}) {
    m_errors.emplace_back(ErrorKind::input, std::move(message), std::move(hint),
                          where(node.source()));
  }
  void missing(const toml::source_region& region, const std::string& key) {
    Location at = where(region);
    if (at.line == 0) at = Location{m_path, 0, 0};
    m_errors.emplace_back(ErrorKind::input, fmt::format("missing `{}`", key), std::string(), at);
  }
  // Located at the key, not its value: the key is what is misspelt.
  void unknown(const toml::key& key, const std::string& path, const std::string& known) {
    m_errors.emplace_back(ErrorKind::input, fmt::format("unknown key `{}`", path),
                          "known keys: " + known, where(key.source()));
  }
  void wrong_type(const toml::node& node, const std::string& key, const char* type) {
    problem(node, fmt::format("`{}` must be {}", key, type));
  }

  bool string(const toml::node& node, const std::string& key, std::string& out) {
    if (const auto* s = node.as_string()) {
      out = s->get();
      return true;
    }
    wrong_type(node, key, "a string");
    return false;
  }
  // A string holding one SQL statement that parses.
  bool statement(const toml::node& node, const std::string& key, std::string& out) {
    if (!string(node, key, out)) return false;
    if (auto why = statement_problem(out)) {
      problem(node, fmt::format("`{}`: {}", key, *why));
      return false;
    }
    return true;
  }
  void dataset_sql(const toml::node& node, const std::string& sql) {
    try {
      check_dataset_sql(sql);
    } catch (const Error& e) {
      problem(node, "`dataset.sql`: " + with_sql_position(e));
    }
  }
  // A migration version: an integer, or the version as the files write it ("1.2").
  void version(const toml::node& node, const std::string& key, std::int64_t& number,
               std::string& text) {
    if (const auto* i = node.as_integer()) {
      number = i->get();
    } else if (const auto* s = node.as_string(); s && !s->get().empty()) {
      text = s->get();
    } else {
      wrong_type(node, key, "an integer, or a version as the migration files write it (\"1.2\")");
    }
  }
  bool integer(const toml::node& node, const std::string& key, std::int64_t& out) {
    if (const auto* i = node.as_integer()) {
      out = i->get();
      return true;
    }
    wrong_type(node, key, "an integer");
    return false;
  }
  bool positive_int(const toml::node& node, const std::string& key, int minimum,
                    std::optional<int>& out) {
    std::int64_t value = 0;
    if (!integer(node, key, value)) return false;
    if (value < minimum || value > 100'000'000) {
      problem(node, fmt::format("`{}` must be at least {}", key, minimum),
              key.ends_with("warmup")
                  ? "PostgreSQL plans the first 5 executions of a prepared statement "
                    "with custom plans; at least 6 let it make its generic/custom decision"
                  : std::string());
      return false;
    }
    out = static_cast<int>(value);
    return true;
  }
  bool number(const toml::node& node, const std::string& key, double& out) {
    // TOML has nan and inf, which every limit comparison would let through.
    if (node.is_number() && std::isfinite(*node.value<double>())) {
      out = *node.value<double>();
      return true;
    }
    wrong_type(node, key, "a finite number");
    return false;
  }
  bool optional_number(const toml::node& node, const std::string& key, std::optional<double>& out) {
    double value = 0;
    if (!number(node, key, value)) return false;
    if (value <= 0) {
      problem(node, fmt::format("`{}` must be positive", key));
      return false;
    }
    out = value;
    return true;
  }
  bool boolean(const toml::node& node, const std::string& key, bool& out) {
    if (const auto* b = node.as_boolean()) {
      out = b->get();
      return true;
    }
    wrong_type(node, key, "true or false");
    return false;
  }
  const toml::table* table(const toml::node& node, const std::string& key) {
    if (const auto* t = node.as_table()) return t;
    wrong_type(node, key, "a table");
    return nullptr;
  }

  void dataset(const toml::node& node, Suite& suite) {
    const auto* t = table(node, "dataset");
    if (!t) return;
    for (auto&& [key, value] : *t) {
      const std::string name(key.str());
      if (name == "sql") {
        if (string(value, "dataset.sql", suite.dataset_sql)) dataset_sql(value, suite.dataset_sql);
      } else if (name == "file") {
        std::string file;
        if (string(value, "dataset.file", file)) {
          suite.dataset_file = resolve(m_path, file);
          suite.dataset_file_location = where(value.source());
        }
      } else {
        unknown(key, "dataset." + name, "sql, file");
      }
    }
    if (t->contains("sql") && t->contains("file"))
      problem(node, "[dataset] takes `sql` or `file`, not both");
  }

  void defaults(const toml::node& node, RunDefaults& out) {
    const auto* t = table(node, "defaults");
    if (!t) return;
    for (auto&& [key, value] : *t) {
      const std::string name(key.str());
      std::optional<int> i;
      std::optional<double> d;
      if (name == "warmup") {
        if (positive_int(value, "defaults.warmup", k_min_warmup, i)) out.warmup = *i;
      } else if (name == "iterations") {
        if (positive_int(value, "defaults.iterations", 1, i)) out.iterations = *i;
      } else if (name == "time_budget") {
        if (optional_number(value, "defaults.time_budget", d)) out.time_budget_s = *d;
      } else {
        unknown(key, "defaults." + name, "warmup, iterations, time_budget");
      }
    }
  }

  void queries(const toml::node& node, Suite& suite) {
    const auto* array = node.as_array();
    if (!array || !array->is_array_of_tables()) {
      wrong_type(node, "queries", "an array of tables ([[queries]])");
      return;
    }
    std::set<std::string> names;
    for (const auto& element : *array) {
      QuerySpec q = query(*element.as_table());
      if (!q.name.empty() && !names.insert(q.name).second) {
        problem(element, fmt::format("duplicate query name \"{}\"", q.name));
      }
      suite.queries.push_back(std::move(q));
    }
  }

  QuerySpec query(const toml::table& t) {
    QuerySpec q;
    q.location = where(t.source());
    bool params_ok = true; // a broken generator already explains a parameter-count mismatch
    for (auto&& [key, value] : t) {
      const std::string name(key.str());
      const std::string path = "queries." + name;
      if (name == "name") {
        string(value, path, q.name);
      } else if (name == "sql") {
        statement(value, path, q.sql);
      } else if (name == "params") {
        params_ok = params(value, q.params);
      } else if (name == "writes") {
        boolean(value, path, q.writes);
      } else if (name == "claim") {
        string(value, path, q.claim);
      } else if (name == "min_effect") {
        optional_number(value, path, q.min_effect);
      } else if (name == "improvement") {
        optional_number(value, path, q.improvement);
      } else if (name == "warmup") {
        positive_int(value, path, k_min_warmup, q.warmup);
      } else if (name == "iterations") {
        positive_int(value, path, 1, q.iterations);
      } else if (name == "time_budget") {
        optional_number(value, path, q.time_budget_s);
      } else if (name == "weight") {
        std::optional<double> weight;
        if (optional_number(value, path, weight)) q.weight = *weight;
      } else if (name == "load") {
        load(value, path, q.load);
      } else if (name == "before") {
        phase(value, path, q.before);
      } else if (name == "after") {
        phase(value, path, q.after);
      } else {
        unknown(key, path,
                "name, sql, params, writes, claim, min_effect, improvement, warmup, iterations, "
                "time_budget, weight, [queries.before], [queries.after], [queries.load]");
      }
    }
    if (!q.writes) {
      // Without `writes = true` a query runs and commits like a read: its writes would change
      // the user's data (--database-url) and what the after phase measures.
      unmarked_write(t.get("sql"), "queries.sql", q.name);
      for (const char* phase_name : {"before", "after"}) {
        const auto* phase_table = t.get(phase_name) ? t.get(phase_name)->as_table() : nullptr;
        if (phase_table)
          unmarked_write(phase_table->get("sql"), fmt::format("queries.{}.sql", phase_name),
                         q.name);
      }
    }
    // Names and claims reach terminals, Markdown, HTML and GitHub annotations verbatim.
    for (const char* key : {"name", "claim"}) {
      const auto* text = t.get(key) ? t.get(key)->as_string() : nullptr;
      if (text && has_control_character(text->get()))
        problem(*t.get(key), fmt::format("`queries.{}` must not contain control characters", key));
    }
    if (q.name.empty() && !t.contains("name")) missing(t.source(), "queries.name");
    if (q.sql.empty() && !t.contains("sql") && !(q.before.sql && q.after.sql))
      missing(t.source(), "queries.sql");
    for (const char* phase_name : {"before", "after"}) {
      if (!params_ok) break;
      const std::string& sql = q.sql_for(phase_name);
      const int needed = max_parameter(sql);
      if (!sql.empty() && needed != static_cast<int>(q.params.size())) {
        m_errors.emplace_back(
            ErrorKind::input,
            fmt::format("query \"{}\" ({}) uses {} parameter{} but has {} generator{} in `params`",
                        q.name, phase_name, needed, needed == 1 ? "" : "s", q.params.size(),
                        q.params.size() == 1 ? "" : "s"),
            "give one generator per $n, in order", q.location);
        break;
      }
      // PostgreSQL cannot infer the type of a parameter the statement never uses.
      if (statement_problem(sql)) continue; // already reported
      if (const auto unused = first_unused_parameter(sql, needed)) {
        m_errors.emplace_back(
            ErrorKind::input,
            fmt::format("query \"{}\" ({}) uses ${} but not ${}: parameters must be $1…${} "
                        "without gaps",
                        q.name, phase_name, needed, unused, needed),
            "number the parameters the SQL uses from $1, with one generator each", q.location);
        break;
      }
    }
    return q;
  }

  void unmarked_write(const toml::node* node, const std::string& key, const std::string& query) {
    const auto* text = node ? node->as_string() : nullptr;
    if (!text || statement_problem(text->get())) return; // already reported
    if (auto why = write_problem(text->get())) {
      problem(*node, fmt::format("query \"{}\": `{}` is not read-only: {}", query, key, *why),
              "add `writes = true` to the query: each execution then runs in a transaction that "
              "is rolled back (and --database-url needs --allow-writes)");
    }
  }

  void load(const toml::node& node, const std::string& path, LoadSpec& out) {
    const auto* t = table(node, path);
    if (!t) return;
    for (auto&& [key, value] : *t) {
      const std::string name(key.str());
      const std::string key_path = path + "." + name;
      if (name == "max_stall_ms") {
        optional_number(value, key_path, out.max_stall_ms);
      } else if (name == "max_p99_ms") {
        optional_number(value, key_path, out.max_p99_ms);
      } else if (name == "max_errors") {
        std::int64_t errors = 0;
        if (!integer(value, key_path, errors)) continue;
        if (errors < 0) {
          problem(value, fmt::format("`{}` must be 0 or more", key_path));
          continue;
        }
        out.max_errors = errors;
      } else {
        unknown(key, key_path, "max_stall_ms, max_errors, max_p99_ms");
      }
    }
  }

  void phase(const toml::node& node, const std::string& path, PhaseSpec& out) {
    const auto* t = table(node, path);
    if (!t) return;
    for (auto&& [key, value] : *t) {
      const std::string name(key.str());
      const std::string key_path = path + "." + name;
      std::string text;
      if (name == "sql") {
        if (statement(value, key_path, text)) out.sql = text;
      } else if (name == "index_backed") {
        if (string(value, key_path, text)) out.plan.index_backed = text;
      } else if (name == "uses_index") {
        if (string(value, key_path, text)) out.plan.uses_index = text;
      } else if (name == "no_seq_scan") {
        const auto* array = value.as_array();
        if (!array) {
          wrong_type(value, key_path, "an array of table names");
          continue;
        }
        for (const auto& item : *array) {
          if (string(item, key_path, text)) out.plan.no_seq_scan.push_back(text);
        }
      } else if (name == "max_shared_buffers") {
        std::int64_t buffers = 0;
        if (integer(value, key_path, buffers)) out.plan.max_shared_buffers = buffers;
      } else if (name == "p50_ms") {
        optional_number(value, key_path, out.p50_ms);
      } else if (name == "p95_ms") {
        optional_number(value, key_path, out.p95_ms);
      } else if (name == "p99_ms") {
        optional_number(value, key_path, out.p99_ms);
      } else {
        unknown(key, key_path,
                "sql, index_backed, uses_index, no_seq_scan, max_shared_buffers, p50_ms, p95_ms, "
                "p99_ms");
      }
    }
  }

  bool params(const toml::node& node, std::vector<GeneratorSpec>& out) {
    const auto* array = node.as_array();
    if (!array) {
      wrong_type(node, "queries.params", "an array of generators, e.g. [{ int = [1, 100] }]");
      return false;
    }
    bool ok = true;
    for (const auto& item : *array) {
      auto spec = generator(item);
      if (spec) out.push_back(std::move(*spec));
      ok = ok && spec.has_value();
    }
    return ok;
  }

  std::optional<GeneratorSpec> generator(const toml::node& node) {
    static const char* k_hint =
        "a generator is one of { int = [MIN, MAX] }, { zipf = [MIN, MAX], exponent = S }, "
        "{ choice = [V, …] }, { sample = \"SELECT …\" }";
    const auto* t = node.as_table();
    if (!t) {
      problem(node, "`queries.params` entries must be inline tables", k_hint);
      return std::nullopt;
    }
    std::vector<std::string> kinds;
    for (auto&& [key, value] : *t) {
      const std::string name(key.str());
      if (name == "int" || name == "zipf" || name == "choice" || name == "sample") {
        kinds.push_back(name);
      } else if (name != "exponent") {
        problem(value, fmt::format("unknown generator key `{}`", name), k_hint);
        return std::nullopt;
      }
    }
    if (kinds.size() != 1) {
      problem(node,
              kinds.empty() ? "a parameter generator needs a kind"
                            : "a parameter generator has one kind",
              k_hint);
      return std::nullopt;
    }
    const std::string kind = kinds.front();
    const toml::node& value = *t->get(kind);
    if (t->contains("exponent") && kind != "zipf") {
      problem(*t->get("exponent"), "`exponent` belongs to a zipf generator", k_hint);
      return std::nullopt;
    }
    if (kind == "sample") {
      std::string sql;
      if (!statement(value, "sample", sql)) return std::nullopt;
      // It runs once, outside the rolled-back transactions of `writes = true` queries.
      if (auto why = write_problem(sql)) {
        problem(value, fmt::format("`sample` must be a read-only query: {}", *why),
                "a sample query only reads the values to draw parameters from, and what it "
                "changed would stay changed");
        return std::nullopt;
      }
      return Sample{sql};
    }
    if (kind == "choice") {
      const auto* array = value.as_array();
      if (!array || array->empty()) {
        problem(value, "`choice` must be a non-empty array of values", k_hint);
        return std::nullopt;
      }
      Choice choice;
      for (const auto& v : *array) {
        if (const auto* s = v.as_string()) {
          choice.values.push_back(s->get());
        } else if (const auto* i = v.as_integer()) {
          choice.values.push_back(std::to_string(i->get()));
        } else if (const auto* b = v.as_boolean()) {
          choice.values.push_back(b->get() ? "true" : "false");
        } else if (const auto* f = v.as_floating_point()) {
          choice.values.push_back(fmt::format("{}", f->get()));
        } else {
          problem(v, "`choice` values must be strings, integers, numbers or booleans", k_hint);
          return std::nullopt;
        }
      }
      return choice;
    }
    const auto* bounds = value.as_array();
    if (!bounds || bounds->size() != 2 || !(*bounds)[0].is_integer() ||
        !(*bounds)[1].is_integer()) {
      problem(value, fmt::format("`{}` must be [MIN, MAX] with two integers", kind), k_hint);
      return std::nullopt;
    }
    const std::int64_t low = *(*bounds)[0].value<std::int64_t>();
    const std::int64_t high = *(*bounds)[1].value<std::int64_t>();
    if (low > high) {
      problem(value,
              fmt::format("`{}` range [{}, {}] is empty: MIN must not exceed MAX", kind, low, high),
              k_hint);
      return std::nullopt;
    }
    if (kind == "int") return IntRange{low, high};
    double exponent = 1.0;
    if (const auto* e = t->get("exponent")) {
      if (!number(*e, "exponent", exponent)) return std::nullopt;
      if (exponent <= 0) {
        problem(*e, "`exponent` must be positive", k_hint);
        return std::nullopt;
      }
    }
    if (range_width(low, high) >= k_max_zipf_range) {
      problem(value, fmt::format("`zipf` range has more than {} values", k_max_zipf_range), k_hint);
      return std::nullopt;
    }
    return Zipf{low, high, exponent};
  }

  std::string m_path;
  std::vector<Error> m_errors;
};

} // namespace

Suite parse_suite(std::string_view text, const std::string& path) {
  return SuiteParser(path).parse(text);
}

} // namespace preflight::bench
