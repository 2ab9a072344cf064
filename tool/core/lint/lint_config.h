#pragma once
// The `[lint]` section of preflight.toml: per-rule levels, e.g.
//   [lint.rules]
//   drop-column = "off"        # or "warning", "error"
// and whether preflight itself sets lock_timeout (the top-level `lock_timeout` key). Both come
// from config::parse_config, the one reader of preflight.toml.

#include <map>
#include <string>

#include "core/lint/rules.h"

namespace preflight::lint {

struct LintConfig {
  std::map<std::string, Level> levels; // rule id → level chosen in the config
  // preflight runs every migration with SET LOCAL lock_timeout
  bool lock_timeout_configured = false;
};

/// The level of `rule` under `config` (its default level unless the config overrides it).
Level effective_level(const Rule& rule, const LintConfig& config);

} // namespace preflight::lint
