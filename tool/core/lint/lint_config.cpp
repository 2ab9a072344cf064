#include "core/lint/lint_config.h"

#include <toml++/toml.h>

#include <fmt/format.h>

#include "core/error.h"
#include "core/lint/lint_config_toml.h"

namespace preflight::lint {

namespace {

Location where(const std::string& path, const toml::source_region& region) {
  return Location{path, static_cast<std::uint32_t>(region.begin.line),
                  static_cast<std::uint32_t>(region.begin.column)};
}

void parse_rules(const toml::table& rules, const std::string& path, LintConfig& config) {
  for (auto&& [key, node] : rules) {
    const std::string id(key.str());
    if (!find_rule(id)) {
      throw Error(
          ErrorKind::input, fmt::format("unknown lint rule `{}` in [lint.rules]", id),
          "the rules are listed in the README, section \"Migration safety: lint and lock trace\"",
          where(path, key.source()));
    }
    auto name = node.value<std::string>();
    auto level = name ? level_from_string(*name) : std::nullopt;
    if (!level) {
      throw Error(ErrorKind::input,
                  fmt::format("lint rule `{}` must be \"off\", \"warning\" or \"error\"", id), {},
                  where(path, node.source()));
    }
    config.levels[id] = *level;
  }
}

} // namespace

LintConfig parse_lint_section(const toml::node& lint, const std::string& path) {
  LintConfig config;
  if (!lint.is_table())
    throw Error(ErrorKind::input, "`lint` must be a table ([lint])", {},
                where(path, lint.source()));
  for (auto&& [key, node] : *lint.as_table()) {
    const std::string name(key.str());
    if (name == "rules" && node.is_table()) {
      parse_rules(*node.as_table(), path, config);
    } else if (name == "rules") {
      throw Error(ErrorKind::input, "`lint.rules` must be a table ([lint.rules])",
                  "rule-id = \"off\" | \"warning\" | \"error\" lines under [lint.rules]",
                  where(path, node.source()));
    } else {
      throw Error(
          ErrorKind::input, fmt::format("unknown key `lint.{}`", name),
          "[lint] has one table: [lint.rules] with rule-id = \"off\" | \"warning\" | \"error\"",
          where(path, node.source()));
    }
  }
  return config;
}

Level effective_level(const Rule& rule, const LintConfig& config) {
  auto it = config.levels.find(rule.id);
  return it == config.levels.end() ? rule.level : it->second;
}

} // namespace preflight::lint
