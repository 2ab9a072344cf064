#include "core/config/config.h"

#include <algorithm>
#include <cctype>
#include <map>

#include <toml++/toml.h>

#include <fmt/format.h>

#include "core/config/targets_toml.h"
#include "core/config/toml_document.h"
#include "core/error.h"
#include "core/lint/lint_config_toml.h"
#include "core/lint/lock_timeout.h"
#include "core/migrate/layouts/layout.h"

namespace preflight::config {

namespace {

Location where(const std::string& path, const toml::source_region& region) {
  return Location{path, static_cast<std::uint32_t>(region.begin.line),
                  static_cast<std::uint32_t>(region.begin.column)};
}

std::string require_string(const toml::node& node, std::string_view key, const std::string& path) {
  if (auto v = node.value<std::string>()) return *v;
  throw Error(ErrorKind::input, fmt::format("`{}` must be a string", key), {},
              where(path, node.source()));
}

std::string require_timeout(const toml::node& node, std::string_view key, const std::string& path) {
  std::string value = require_string(node, key, path);
  if (!is_timeout_setting(value)) {
    throw Error(ErrorKind::input, fmt::format("`{}` = \"{}\" is not a timeout", key, value),
                k_timeout_hint, where(path, node.source()));
  }
  return value;
}

} // namespace

bool is_timeout_setting(std::string_view value) {
  const auto trim = [](std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
      text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
      text.remove_suffix(1);
    return text;
  };
  value = trim(value);
  std::size_t end = 0;
  while (end < value.size() &&
         (std::isdigit(static_cast<unsigned char>(value[end])) || value[end] == '.'))
    ++end;
  if (end == 0 || std::count(value.begin(), value.begin() + end, '.') > 1 || value[0] == '.')
    return false;
  static const std::map<std::string_view, double> k_ms_per_unit{
      {"", 1},         {"us", 0.001},    {"ms", 1},        {"s", 1000},
      {"min", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}};
  const auto unit = k_ms_per_unit.find(trim(value.substr(end)));
  if (unit == k_ms_per_unit.end()) return false;
  const double ms = std::stod(std::string(value.substr(0, end))) * unit->second;
  return ms <= 2147483647.0;
}

bool is_valid_lock_wait(double seconds) {
  // Also rejects nan, which every comparison fails.
  return seconds >= 0 && seconds <= 1e9;
}

Config parse_config(std::string_view text, const std::string& path) {
  const toml::table table = parse_toml(text, path);
  Config config;
  for (auto&& [key, node] : table) {
    const std::string name(key.str());
    if (name == "migrations") {
      config.migrations = require_string(node, name, path);
    } else if (name == "history_table") {
      config.history_table = require_string(node, name, path);
    } else if (name == "layout") {
      config.layout = require_string(node, name, path);
      if (!migrate::layout_from_name(config.layout)) {
        throw Error(ErrorKind::input, fmt::format("unknown layout \"{}\"", config.layout),
                    "known layouts: " + migrate::layout_names(), where(path, node.source()));
      }
    } else if (name == "history") {
      config.history = require_string(node, name, path);
      if (config.history != "sqlx" && config.history != "native") {
        throw Error(ErrorKind::input, fmt::format("unknown history \"{}\"", config.history),
                    "history is \"sqlx\" (_sqlx_migrations) or \"native\" (the layout's own "
                    "tool's table)",
                    where(path, node.source()));
      }
    } else if (name == "lock_timeout") {
      config.lock_timeout = require_timeout(node, name, path);
    } else if (name == "statement_timeout") {
      config.statement_timeout = require_timeout(node, name, path);
    } else if (name == "lock_wait") {
      auto seconds = node.value<double>();
      if (!seconds || !is_valid_lock_wait(*seconds)) {
        throw Error(ErrorKind::input, "`lock_wait` must be a number of seconds from 0 to 1e9", {},
                    where(path, node.source()));
      }
      config.lock_wait_seconds = seconds;
    } else if (name == "target") {
      config.targets = parse_target_tables(node, path);
    } else if (name == "lint") {
      config.lint = lint::parse_lint_section(node, path);
    } else if (node.is_table() || node.is_array_of_tables()) {
      // A misspelt section would otherwise be ignored, and its settings with it.
      throw Error(ErrorKind::input,
                  node.is_table() ? fmt::format("unknown table `[{}]`", name)
                                  : fmt::format("unknown table `[[{}]]`", name),
                  "preflight.toml has the tables [lint] (with [lint.rules]) and [[target]]",
                  where(path, key.source()));
    } else {
      throw Error(ErrorKind::input, fmt::format("unknown key `{}`", name),
                  "known keys: migrations, layout, history, history_table, lock_timeout, "
                  "statement_timeout, lock_wait",
                  where(path, key.source()));
    }
  }
  // lint's missing-lock-timeout rule is off when preflight itself sets a real lock_timeout.
  config.lint.lock_timeout_configured =
      !config.lock_timeout.empty() && lint::lock_timeout_limits_wait(config.lock_timeout);
  return config;
}

} // namespace preflight::config
