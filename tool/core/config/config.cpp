#include "core/config/config.h"

#include <toml++/toml.h>

#include <fmt/format.h>

#include "core/error.h"

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

} // namespace

Config parse_config(std::string_view text, const std::string& path) {
  toml::table table;
  try {
    table = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    throw Error(ErrorKind::input, fmt::format("invalid TOML: {}", e.description()), {},
                where(path, e.source()));
  }
  Config config;
  for (auto&& [key, node] : table) {
    const std::string name(key.str());
    if (name == "migrations") {
      config.migrations = require_string(node, name, path);
    } else if (name == "history_table") {
      config.history_table = require_string(node, name, path);
    } else if (name == "lock_timeout") {
      config.lock_timeout = require_string(node, name, path);
    } else if (name == "statement_timeout") {
      config.statement_timeout = require_string(node, name, path);
    } else if (name == "lock_wait") {
      auto seconds = node.value<double>();
      if (!seconds || *seconds < 0) {
        throw Error(ErrorKind::input, "`lock_wait` must be a number of seconds", {},
                    where(path, node.source()));
      }
      config.lock_wait_seconds = seconds;
    } else if (node.is_table()) {
      // Sections belong to other commands (e.g. [lint]); they validate their own keys.
      continue;
    } else if (name == "lint") {
      throw Error(ErrorKind::input, "`lint` must be a table ([lint])", {},
                  where(path, node.source()));
    } else {
      throw Error(
          ErrorKind::input, fmt::format("unknown key `{}`", name),
          "known keys: migrations, history_table, lock_timeout, statement_timeout, lock_wait",
          where(path, key.source()));
    }
  }
  return config;
}

} // namespace preflight::config
