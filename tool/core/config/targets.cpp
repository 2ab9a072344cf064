#include "core/config/targets.h"

#include <cctype>
#include <map>

#include <fmt/format.h>

#include "core/config/targets_toml.h"
#include "core/text/text.h"

namespace preflight::config {

namespace {

bool starts_with_scheme(std::string_view text) {
  return text.starts_with("postgres://") || text.starts_with("postgresql://");
}

// The value of `dbname` in a keyword string: bare up to whitespace, or single-quoted with
// backslash escapes (libpq's rules).
std::string keyword_dbname(std::string_view text) {
  std::string found;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    std::size_t key_start = i;
    while (i < text.size() && text[i] != '=' && !std::isspace(static_cast<unsigned char>(text[i])))
      ++i;
    std::string key(text.substr(key_start, i - key_start));
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i >= text.size() || text[i] != '=') return found;
    ++i;
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    std::string value;
    if (i < text.size() && text[i] == '\'') {
      for (++i; i < text.size() && text[i] != '\''; ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        value += text[i];
      }
      ++i;
    } else {
      while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) {
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        value += text[i++];
      }
    }
    if (key == "dbname") found = value;
  }
  return found;
}

bool is_keyword_string(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) return false;
  for (char c : text.substr(0, eq)) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != ' ') return false;
  }
  return true;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

Location toml_where(const std::string& path, const toml::source_region& region) {
  return Location{path, static_cast<std::uint32_t>(region.begin.line),
                  static_cast<std::uint32_t>(region.begin.column)};
}

// Keeps every problem of a combined error (combine() keeps one level).
void append_all(std::vector<Error>& problems, const Error& error) {
  problems.push_back(Error(error.kind(), error.message(), error.hint(), error.location()));
  for (const auto& more : error.more()) problems.push_back(more);
}

} // namespace

std::string database_name_of(std::string_view conninfo) {
  if (!starts_with_scheme(conninfo)) return keyword_dbname(conninfo);
  std::string_view rest = conninfo.substr(conninfo.find("://") + 3);
  std::string name;
  const auto query = rest.find('?');
  std::string_view before_query = rest.substr(0, query);
  if (const auto slash = before_query.find('/'); slash != std::string_view::npos) {
    name = text::percent_decoded(before_query.substr(slash + 1));
  }
  if (query != std::string_view::npos) {
    std::string_view params = rest.substr(query + 1);
    while (!params.empty()) {
      const auto amp = params.find('&');
      std::string_view pair = params.substr(0, amp);
      if (pair.starts_with("dbname=")) name = text::percent_decoded(pair.substr(7));
      if (amp == std::string_view::npos) break;
      params.remove_prefix(amp + 1);
    }
  }
  return name;
}

bool is_target_name(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u == 0x7f) return false;
  }
  return true;
}

std::vector<TargetSpec> parse_targets_file(std::string_view text, const std::string& path) {
  std::vector<TargetSpec> targets;
  std::vector<Error> problems;
  std::uint32_t line_number = 0;
  while (!text.empty()) {
    const auto end = text.find('\n');
    std::string_view line = trim(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++line_number;
    if (line.empty() || line.front() == '#') continue;
    const Location at{path, line_number, 0};
    TargetSpec target;
    target.location = at;
    // `name=postgres://…`: a name before a URL. A keyword string also has `=`, but its value
    // never starts with a URL scheme.
    const auto eq = line.find('=');
    if (!starts_with_scheme(line) && eq != std::string_view::npos &&
        starts_with_scheme(trim(line.substr(eq + 1)))) {
      target.name = std::string(trim(line.substr(0, eq)));
      target.url = std::string(trim(line.substr(eq + 1)));
      if (!is_target_name(target.name)) {
        problems.emplace_back(ErrorKind::input, "a target name is 1 to 63 characters, no spaces",
                              "write `name=postgres://…` or the URL alone", at);
        continue;
      }
    } else if (starts_with_scheme(line) || is_keyword_string(line)) {
      target.url = std::string(line);
      target.name = database_name_of(line);
      if (target.name.empty()) {
        problems.emplace_back(ErrorKind::input, "the connection string names no database",
                              "a target is named after its database: add one, or write "
                              "`name=postgres://…`",
                              at);
        continue;
      }
      if (!is_target_name(target.name)) {
        problems.emplace_back(ErrorKind::input,
                              "the database name cannot name a target (1 to 63 characters, no "
                              "spaces)",
                              "write `name=postgres://…`", at);
        continue;
      }
    } else {
      problems.emplace_back(ErrorKind::input, "not a connection string",
                            "one target a line: postgres://user@host/db, name=postgres://…, or "
                            "a libpq keyword string (host=… dbname=…)",
                            at);
      continue;
    }
    targets.push_back(std::move(target));
  }
  try {
    // A file whose every line was bad is not also "empty".
    check_targets(targets, problems.empty() ? path : std::string{});
  } catch (const Error& e) {
    append_all(problems, e);
  }
  if (!problems.empty()) throw Error::combine(std::move(problems));
  return targets;
}

void check_targets(const std::vector<TargetSpec>& targets, const std::string& where) {
  std::vector<Error> problems;
  std::map<std::string, const TargetSpec*> seen;
  for (const auto& t : targets) {
    auto [it, inserted] = seen.emplace(t.name, &t);
    if (!inserted) {
      problems.emplace_back(
          ErrorKind::input, fmt::format("duplicate target name `{}`", t.name),
          fmt::format("first declared at {}; give each target its own name (name=URL)",
                      it->second->location.to_string()),
          t.location);
    }
  }
  if (targets.empty() && !where.empty()) {
    problems.emplace_back(ErrorKind::input, "no targets", "list at least one database",
                          Location{where, 0, 0});
  }
  if (!problems.empty()) throw Error::combine(std::move(problems));
}

std::vector<TargetSpec> parse_target_tables(const toml::node& node, const std::string& path) {
  const auto* array = node.as_array();
  if (array == nullptr || !array->is_array_of_tables()) {
    throw Error(ErrorKind::input, "`target` must be an array of tables ([[target]])", {},
                toml_where(path, node.source()));
  }
  std::vector<TargetSpec> targets;
  std::vector<Error> problems;
  for (const auto& element : *array) {
    const auto& table = *element.as_table();
    TargetSpec target;
    target.location = toml_where(path, table.source());
    const auto string_of = [&](const toml::node& value, std::string_view key) {
      if (auto s = value.value<std::string>()) return *s;
      problems.emplace_back(ErrorKind::input, fmt::format("`{}` must be a string", key),
                            std::string{}, toml_where(path, value.source()));
      return std::string{};
    };
    for (auto&& [key, value] : table) {
      const std::string name(key.str());
      if (name == "name") {
        target.name = string_of(value, name);
        if (!is_target_name(target.name)) {
          problems.emplace_back(ErrorKind::input, "a target name is 1 to 63 characters, no spaces",
                                std::string{}, toml_where(path, value.source()));
        }
      } else if (name == "url") {
        target.url = string_of(value, name);
      } else if (name == "url_env") {
        target.url_env = string_of(value, name);
      } else if (name == "schema") {
        target.schema = string_of(value, name);
      } else {
        problems.emplace_back(ErrorKind::input, fmt::format("unknown key `{}` in [[target]]", name),
                              "known keys: name, url, url_env, schema",
                              toml_where(path, key.source()));
      }
    }
    if (!table.contains("name")) {
      problems.emplace_back(ErrorKind::input, "[[target]] needs a `name`", std::string{},
                            target.location);
    }
    if (table.contains("url") == table.contains("url_env")) {
      problems.emplace_back(ErrorKind::input, "[[target]] needs exactly one of `url`, `url_env`",
                            "url_env names an environment variable that holds the URL, so that "
                            "no password is written in preflight.toml",
                            target.location);
    }
    if (table.contains("schema") &&
        (target.schema.empty() || target.schema.find('.') != std::string::npos)) {
      problems.emplace_back(ErrorKind::input, "`schema` must be a schema name (not empty, no `.`)",
                            std::string{}, toml_where(path, table.at("schema").source()));
    }
    targets.push_back(std::move(target));
  }
  try {
    check_targets(targets, {});
  } catch (const Error& e) {
    append_all(problems, e);
  }
  if (!problems.empty()) throw Error::combine(std::move(problems));
  return targets;
}

} // namespace preflight::config
