#pragma once
// preflight.toml: project settings, for every command (lint's [lint] table included). Parsed
// from text (the caller reads the file once) so that every problem names file, line and key.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/targets.h"

#include "core/lint/lint_config.h"

namespace preflight::config {

struct Config {
  std::string migrations = "migrations"; // folder of migration files
  std::string layout; // "golang-migrate", "goose", …; empty: detected from the files
  std::string history_table = "_sqlx_migrations";
  std::string
      history; // "sqlx", "native"; empty: native for another tool's layout (docs/history.md)
  std::string lock_timeout;                // SET LOCAL lock_timeout per migration
  std::string statement_timeout;           // SET LOCAL statement_timeout per migration
  std::optional<double> lock_wait_seconds; // how long to wait for the migration lock
  lint::LintConfig lint;                   // [lint] (rule levels) and whether lock_timeout is set
  std::vector<TargetSpec> targets;         // [[target]]: the fleet (see targets.h)
};

/// Whether `value` is a setting PostgreSQL takes for lock_timeout / statement_timeout: a
/// non-negative number with an optional unit (us, ms, s, min, h, d; none means ms) up to
/// 2147483647 ms. Checked before connecting, so that a typo is bad input, not a failed migration.
bool is_timeout_setting(std::string_view value);

/// The hint that goes with a value is_timeout_setting() refuses.
inline constexpr const char* k_timeout_hint =
    "a number with an optional unit, as PostgreSQL takes it: 5s, 500ms, 2min, 1h (no unit: "
    "milliseconds; 0: no timeout)";

/// True if `seconds` can be a lock wait: a finite number from 0 to 10^9 (about 31 years).
bool is_valid_lock_wait(double seconds);

/// Parses preflight.toml text; `path` is used in messages. Throws Error(input) at file:line:col
/// for TOML syntax errors, NUL characters, unknown keys and tables, wrong types, timeouts
/// PostgreSQL would refuse and bad [lint] settings.
Config parse_config(std::string_view text, const std::string& path);

} // namespace preflight::config
