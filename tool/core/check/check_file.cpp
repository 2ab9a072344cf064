#include "core/check/check_file.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

#include "core/config/toml_document.h"
#include "core/drift/pattern.h"
#include "core/sql/parsed_sql.h"

namespace preflight::check {

std::string to_string(CheckKind kind) {
  switch (kind) {
  case CheckKind::sql: return "sql";
  case CheckKind::index_used: return "index_used";
  case CheckKind::plan: return "plan";
  case CheckKind::schema: return "schema";
  case CheckKind::migration: return "migration";
  case CheckKind::statements: return "statements";
  case CheckKind::drift: return "drift";
  }
  return "unknown";
}

namespace {

std::string join(const std::vector<std::string>& items, const char* separator = ", ") {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

const std::map<std::string, std::set<std::string>>& allowed_keys() {
  static const std::map<std::string, std::set<std::string>> keys{
      {"sql", {"query", "expect"}},
      {"index_used", {"index"}},
      {"plan",
       {"query", "params", "analyze", "index_backed", "uses_index", "no_seq_scan",
        "max_shared_buffers"}},
      {"schema",
       {"table", "column", "index", "constraint", "columns", "unique", "type", "nullable",
        "references", "on_delete"}},
      {"migration", {"version", "newest"}},
      {"statements", {"query", "max_mean_ms", "min_calls", "optional"}},
      {"drift", {"to", "ignore", "comments"}},
  };
  return keys;
}

const std::set<std::string> k_on_delete{"cascade", "restrict", "no action", "set null",
                                        "set default"};

// Reads one `[[check]]` table, collecting every problem instead of stopping at the first.
class CheckReader {
public:
  CheckReader(const std::string& path, std::vector<Error>& errors)
      : m_path(path), m_errors(errors) {}

  Location at(const toml::source_region& region) const {
    return Location{m_path, static_cast<std::uint32_t>(region.begin.line),
                    static_cast<std::uint32_t>(region.begin.column)};
  }

  void fail(const toml::source_region& region, std::string message, std::string hint = {}) {
    m_errors.emplace_back(ErrorKind::input, std::move(message), std::move(hint), at(region));
  }

  std::optional<std::string> string(const toml::table& t, std::string_view key) {
    const toml::node* node = t.get(key);
    if (!node) return std::nullopt;
    if (auto v = node->value_exact<std::string>()) return *v;
    fail(node->source(), fmt::format("`{}` must be a string", key));
    return std::nullopt;
  }

  std::optional<bool> boolean(const toml::table& t, std::string_view key) {
    const toml::node* node = t.get(key);
    if (!node) return std::nullopt;
    if (auto v = node->value_exact<bool>()) return *v;
    fail(node->source(), fmt::format("`{}` must be true or false", key));
    return std::nullopt;
  }

  std::optional<std::int64_t> integer(const toml::table& t, std::string_view key,
                                      std::int64_t minimum) {
    const toml::node* node = t.get(key);
    if (!node) return std::nullopt;
    auto v = node->value_exact<std::int64_t>();
    if (!v || *v < minimum) {
      fail(node->source(), fmt::format("`{}` must be a whole number >= {}", key, minimum));
      return std::nullopt;
    }
    return *v;
  }

  // A migration version given as a string, as the migration files write it ("1.2"; resolved
  // against the files); nullopt when the key holds no string.
  std::optional<std::string> version_text(const toml::table& t, std::string_view key) {
    const toml::node* node = t.get(key);
    if (!node) return std::nullopt;
    auto v = node->value_exact<std::string>();
    if (v && v->empty()) fail(node->source(), fmt::format("`{}` must not be empty", key));
    return v;
  }

  std::optional<double> positive_number(const toml::table& t, std::string_view key) {
    const toml::node* node = t.get(key);
    if (!node) return std::nullopt;
    std::optional<double> v;
    if (auto d = node->value_exact<double>()) v = *d;
    if (auto i = node->value_exact<std::int64_t>()) v = static_cast<double>(*i);
    if (!v || !(*v > 0) || !std::isfinite(*v)) {
      fail(node->source(), fmt::format("`{}` must be a number > 0", key));
      return std::nullopt;
    }
    return v;
  }

  // A string or an array of strings.
  std::optional<std::vector<std::string>> strings(const toml::table& t, std::string_view key) {
    const toml::node* node = t.get(key);
    if (!node) return std::nullopt;
    if (auto v = node->value_exact<std::string>()) return std::vector<std::string>{*v};
    std::vector<std::string> out;
    const toml::array* array = node->as_array();
    bool ok = array != nullptr && !array->empty();
    if (array) {
      for (const auto& item : *array) {
        if (auto s = item.value_exact<std::string>()) {
          out.push_back(*s);
        } else {
          ok = false;
        }
      }
    }
    if (!ok) {
      fail(node->source(), fmt::format("`{}` must be a non-empty array of strings", key));
      return std::nullopt;
    }
    return out;
  }

  // Plan parameters: strings, numbers or booleans, sent as text.
  std::vector<std::string> params(const toml::table& t) {
    std::vector<std::string> out;
    const toml::node* node = t.get("params");
    if (!node) return out;
    const toml::array* array = node->as_array();
    if (!array) {
      fail(node->source(), "`params` must be an array of strings, numbers or booleans");
      return out;
    }
    for (const auto& item : *array) {
      if (auto s = item.value_exact<std::string>()) {
        out.push_back(*s);
      } else if (auto i = item.value_exact<std::int64_t>()) {
        out.push_back(std::to_string(*i));
      } else if (auto d = item.value_exact<double>()) {
        out.push_back(fmt::format("{}", *d));
      } else if (auto b = item.value_exact<bool>()) {
        out.push_back(*b ? "true" : "false");
      } else {
        fail(item.source(), "`params` must be an array of strings, numbers or booleans");
      }
    }
    return out;
  }

  void require(bool present, const toml::table& t, std::string_view key, std::string_view kind) {
    if (!present) fail(t.source(), fmt::format("a `{}` check needs `{}`", kind, key));
  }

  std::optional<Check> read(const toml::table& t) {
    std::size_t errors_before = m_errors.size();
    Check check;
    check.location = at(t.source());
    auto name = string(t, "name");
    auto kind = string(t, "kind");
    if (!t.get("name")) fail(t.source(), "a check needs a `name`");
    if (!t.get("kind")) {
      fail(t.source(), "a check needs a `kind`",
           "kinds: sql, index_used, plan, schema, migration, statements, drift");
    }
    if (name) {
      if (name->empty()) fail(t.get("name")->source(), "`name` must not be empty");
      check.name = *name;
    }
    const auto& kinds = allowed_keys();
    auto known = kind ? kinds.find(*kind) : kinds.end();
    if (kind && known == kinds.end()) {
      fail(t.get("kind")->source(), fmt::format("unknown check kind `{}`", *kind),
           "kinds: sql, index_used, plan, schema, migration, statements, drift");
    }
    if (known == kinds.end()) return std::nullopt;

    for (auto&& [key, node] : t) {
      const std::string k(key.str());
      if (k == "name" || k == "kind" || known->second.count(k)) continue;
      std::vector<std::string> list(known->second.begin(), known->second.end());
      fail(key.source(), fmt::format("unknown key `{}` in a `{}` check", k, *kind),
           "keys of a `" + *kind + "` check: name, kind, " + join(list));
    }

    if (*kind == "sql") read_sql(t, check);
    if (*kind == "index_used") read_index_used(t, check);
    if (*kind == "plan") read_plan(t, check);
    if (*kind == "schema") read_schema(t, check);
    if (*kind == "migration") read_migration(t, check);
    if (*kind == "statements") read_statements(t, check);
    if (*kind == "drift") read_drift(t, check);
    if (m_errors.size() != errors_before) return std::nullopt;
    return check;
  }

private:
  void read_query(const toml::table& t, Check& check, std::string_view kind) {
    auto query = string(t, "query");
    require(t.get("query") != nullptr, t, "query", kind);
    if (query) {
      check.query = *query;
      check.query_location = at(t.get("query")->source());
      if (query->find_first_not_of(" \t\r\n") == std::string::npos) {
        fail(t.get("query")->source(), "`query` must not be empty");
      }
    }
  }

  void read_sql(const toml::table& t, Check& check) {
    check.kind = CheckKind::sql;
    read_query(t, check, "sql");
    auto expect = string(t, "expect");
    require(t.get("expect") != nullptr, t, "expect", "sql");
    if (expect) {
      try {
        check.expect = parse_expectation(*expect);
      } catch (const Error& e) {
        fail(t.get("expect")->source(), "`expect`: " + e.message(), e.hint());
      }
    }
  }

  void read_index_used(const toml::table& t, Check& check) {
    check.kind = CheckKind::index_used;
    auto index = string(t, "index");
    require(t.get("index") != nullptr, t, "index", "index_used");
    if (index) check.index = *index;
  }

  // One value per $n of the query, $1…$n without gaps: PostgreSQL refuses anything else at run
  // time with a protocol error or "could not determine data type of parameter".
  void plan_parameters(const toml::table& t, const Check& check) {
    std::set<std::int64_t> used;
    try {
      for (const auto& statement : sql::parse_statements(check.query))
        used.merge(sql::parameter_numbers(statement.tree));
    } catch (const Error&) {
      return; // the read-only check reports SQL that does not parse, at the query
    }
    const std::size_t highest = used.empty() ? 0 : static_cast<std::size_t>(*used.rbegin());
    const auto& where = t.get("params") ? t.get("params")->source() : t.source();
    if (highest != check.params.size()) {
      fail(where,
           fmt::format("the query uses {} parameter{} but `params` has {} value{}", highest,
                       highest == 1 ? "" : "s", check.params.size(),
                       check.params.size() == 1 ? "" : "s"),
           "give one value per $n, in order");
    } else if (used.size() != highest) {
      fail(where, "the query's parameters must be $1…$n without gaps",
           "number the parameters the query uses from $1");
    }
  }

  void read_plan(const toml::table& t, Check& check) {
    check.kind = CheckKind::plan;
    read_query(t, check, "plan");
    check.params = params(t);
    plan_parameters(t, check);
    check.analyze = boolean(t, "analyze").value_or(false);
    check.plan.index_backed = string(t, "index_backed");
    check.plan.uses_index = string(t, "uses_index");
    check.plan.no_seq_scan = strings(t, "no_seq_scan").value_or(std::vector<std::string>{});
    check.plan.max_shared_buffers = integer(t, "max_shared_buffers", 0);
    if (t.get("max_shared_buffers") && !check.analyze) {
      fail(t.get("max_shared_buffers")->source(),
           "`max_shared_buffers` needs `analyze = true` (plain EXPLAIN reads no buffers)");
    }
    if (!t.get("index_backed") && !t.get("uses_index") && !t.get("no_seq_scan") &&
        !t.get("max_shared_buffers")) {
      fail(t.source(),
           "a `plan` check needs at least one of `index_backed`, `uses_index`, `no_seq_scan`, "
           "`max_shared_buffers`");
    }
  }

  void read_schema(const toml::table& t, Check& check) {
    check.kind = CheckKind::schema;
    SchemaObject& o = check.object;
    auto table = string(t, "table");
    auto column = string(t, "column");
    auto index = string(t, "index");
    auto constraint = string(t, "constraint");
    int named =
        (t.get("column") ? 1 : 0) + (t.get("index") ? 1 : 0) + (t.get("constraint") ? 1 : 0);
    if (named > 1) {
      fail(
          t.source(),
          "a `schema` check names one object: `column`, `index` or `constraint` (or only `table`)");
      return;
    }
    o.table = table.value_or("");
    if (t.get("column")) {
      o.kind = SchemaObject::Kind::column;
      o.name = column.value_or("");
      require(t.get("table") != nullptr, t, "table", "schema");
    } else if (t.get("index")) {
      o.kind = SchemaObject::Kind::index;
      o.name = index.value_or("");
    } else if (t.get("constraint")) {
      o.kind = SchemaObject::Kind::constraint;
      o.name = constraint.value_or("");
    } else {
      o.kind = SchemaObject::Kind::table;
      if (!t.get("table")) {
        fail(t.source(), "a `schema` check needs `table`, and optionally one of `column`, `index`, "
                         "`constraint`");
      }
    }
    auto only_for = [&](std::string_view key, SchemaObject::Kind k1, SchemaObject::Kind k2,
                        const char* what) {
      if (t.get(key) && o.kind != k1 && o.kind != k2) {
        fail(t.get(key)->source(), fmt::format("`{}` applies only to {}", key, what));
        return false;
      }
      return t.get(key) != nullptr;
    };
    using K = SchemaObject::Kind;
    if (only_for("columns", K::index, K::constraint, "an `index` or a `constraint`"))
      o.columns = strings(t, "columns");
    if (only_for("unique", K::index, K::index, "an `index`")) o.unique = boolean(t, "unique");
    if (only_for("type", K::column, K::column, "a `column`")) o.type = string(t, "type");
    if (only_for("nullable", K::column, K::column, "a `column`"))
      o.nullable = boolean(t, "nullable");
    if (only_for("references", K::constraint, K::constraint, "a `constraint`"))
      o.references = string(t, "references");
    if (only_for("on_delete", K::constraint, K::constraint, "a `constraint`")) {
      o.on_delete = string(t, "on_delete");
      if (o.on_delete) {
        std::string lower = *o.on_delete;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        if (!k_on_delete.count(lower)) {
          fail(t.get("on_delete")->source(),
               fmt::format("`on_delete` must be one of: {}",
                           join({k_on_delete.begin(), k_on_delete.end()})));
        }
        o.on_delete = lower;
      }
    }
  }

  void read_migration(const toml::table& t, Check& check) {
    check.kind = CheckKind::migration;
    auto text = version_text(t, "version");
    check.version_text = text.value_or("");
    auto version = text ? std::nullopt : integer(t, "version", 1);
    require(t.get("version") != nullptr, t, "version", "migration");
    check.version = version.value_or(0);
    check.newest = boolean(t, "newest").value_or(true);
  }

  void read_statements(const toml::table& t, Check& check) {
    check.kind = CheckKind::statements;
    read_query(t, check, "statements");
    auto limit = positive_number(t, "max_mean_ms");
    require(t.get("max_mean_ms") != nullptr, t, "max_mean_ms", "statements");
    check.max_mean_ms = limit.value_or(0);
    check.min_calls = integer(t, "min_calls", 1).value_or(1);
    check.optional = boolean(t, "optional").value_or(false);
  }

  void read_drift(const toml::table& t, Check& check) {
    check.kind = CheckKind::drift;
    auto to = version_text(t, "to");
    check.to_text = to.value_or("");
    if (!to) check.to = integer(t, "to", 0);
    check.comments = boolean(t, "comments").value_or(false);
    check.ignore = strings(t, "ignore").value_or(std::vector<std::string>{});
    for (const auto& pattern : check.ignore) {
      try {
        drift::Pattern{pattern};
      } catch (const Error& e) {
        fail(t.get("ignore")->source(),
             "`ignore`: " + e.message().substr(e.message().find(' ') + 1), e.hint());
      }
    }
  }

  const std::string& m_path;
  std::vector<Error>& m_errors;
};

} // namespace

std::string SchemaObject::describe() const {
  std::string cols = columns ? " (" + join(*columns) + ")" : "";
  switch (kind) {
  case Kind::table: return "table " + table;
  case Kind::column: {
    std::string text = "column " + table + "." + name;
    if (type) text += " " + *type;
    if (nullable) text += *nullable ? " NULL" : " NOT NULL";
    return text;
  }
  case Kind::index: {
    std::string text = std::string(unique && *unique ? "unique index " : "index ") +
                       (name.empty() ? "" : name + " ");
    if (!table.empty()) text += "on " + table;
    return text + cols;
  }
  case Kind::constraint: {
    std::string text = "constraint " + name + (table.empty() ? "" : " on " + table) + cols;
    if (references) text += " references " + *references;
    if (on_delete) text += " on delete " + *on_delete;
    return text;
  }
  }
  return "object";
}

std::vector<Check> parse_checks(std::string_view text, const std::string& path) {
  const toml::table document = config::parse_toml(text, path);
  std::vector<Error> errors;
  CheckReader reader(path, errors);
  std::vector<Check> checks;
  for (auto&& [key, node] : document) {
    if (key.str() != "check") {
      reader.fail(key.source(), fmt::format("unknown key `{}`", key.str()),
                  "a checks file holds only `[[check]]` tables");
      continue;
    }
    const toml::array* array = node.as_array();
    if (!array || !array->is_array_of_tables()) {
      reader.fail(node.source(), "`check` must be written as `[[check]]` tables");
      continue;
    }
    for (const auto& item : *array) {
      if (auto check = reader.read(*item.as_table())) checks.push_back(std::move(*check));
    }
  }
  std::map<std::string, Location> seen;
  for (const auto& c : checks) {
    auto [it, inserted] = seen.emplace(c.name, c.location);
    if (!inserted) {
      errors.emplace_back(
          ErrorKind::input,
          fmt::format("duplicate check name \"{}\" (first at line {})", c.name, it->second.line),
          "names identify checks in reports and CI; make each unique", c.location);
    }
  }
  if (!errors.empty()) {
    std::stable_sort(errors.begin(), errors.end(), [](const Error& a, const Error& b) {
      auto line = [](const Error& e) { return e.location() ? e.location()->line : 0U; };
      return line(a) < line(b);
    });
    throw Error::combine(std::move(errors));
  }
  return checks;
}

std::int64_t parse_duration_ms(std::string_view text, const std::string& what) {
  std::size_t digits = 0;
  while (digits < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[digits])) || text[digits] == '.')) {
    ++digits;
  }
  static const std::map<std::string, double, std::less<>> k_units{
      {"ms", 1}, {"s", 1000}, {"min", 60'000}, {"m", 60'000}, {"h", 3'600'000}};
  auto unit = k_units.find(text.substr(digits));
  double value = 0;
  bool ok = digits > 0 && unit != k_units.end();
  if (ok) {
    try {
      value = std::stod(std::string(text.substr(0, digits)));
    } catch (const std::exception&) {
      ok = false;
    }
  }
  if (!ok || value * unit->second < 1) {
    throw Error(ErrorKind::usage, fmt::format("{}: `{}` is not a duration", what, text),
                "write a number with a unit: 500ms, 30s, 2min, 1h");
  }
  return static_cast<std::int64_t>(std::llround(value * unit->second));
}

} // namespace preflight::check
