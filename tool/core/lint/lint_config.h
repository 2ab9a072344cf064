#pragma once
// The `[lint]` section of preflight.toml: per-rule levels, e.g.
//   [lint.rules]
//   drop-column = "off"        # or "warning", "error"
// and whether preflight itself sets lock_timeout (the top-level `lock_timeout` key).

#include <map>
#include <string>
#include <string_view>

#include "core/lint/rules.h"

namespace preflight::lint {

struct LintConfig {
  std::map<std::string, Level> levels; // rule id → level chosen in the config
  // preflight runs every migration with SET LOCAL lock_timeout
  bool lock_timeout_configured = false;
};

/// Parses the lint settings out of preflight.toml text (other sections are left to their
/// owners); throws Error(input) at file:line:col for unknown rule ids, unknown keys in [lint]
/// and levels other than off/warning/error.
LintConfig parse_lint_config(std::string_view text, const std::string& path);

/// The level of `rule` under `config` (its default level unless the config overrides it).
Level effective_level(const Rule& rule, const LintConfig& config);

} // namespace preflight::lint
