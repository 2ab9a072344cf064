#pragma once
// The lint rules' catalogue and the findings they produce. Rule ids are stable: they appear in
// suppression comments, preflight.toml, SARIF output and the README's anchors.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace preflight::lint {

enum class Level { off, warning, error };

struct Rule {
  std::string id;      // e.g. "create-index-not-concurrently"
  Level level;         // the default level
  std::string summary; // one line, used as SARIF shortDescription
};

struct Finding {
  std::string rule;
  Level level = Level::error;
  std::string file;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  std::string message; // the lock taken and what it blocks, or what breaks
  std::string hint;    // the safer way
};

/// Every rule, in the README's order.
const std::vector<Rule>& all_rules();

/// The rule with `id`, or nullptr.
const Rule* find_rule(std::string_view id);

/// "error", "warning" or "off".
std::string to_string(Level level);

/// The level named by `name` ("off", "warning", "error"), or nullopt.
std::optional<Level> level_from_string(std::string_view name);

} // namespace preflight::lint
