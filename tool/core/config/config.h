#pragma once
// preflight.toml: project settings. Parsed from text (the caller reads the file) so that every
// problem names file, line and key.

#include <optional>
#include <string>
#include <string_view>

namespace preflight::config {

struct Config {
  std::string migrations = "migrations"; // folder of migration files
  std::string history_table = "_sqlx_migrations";
  std::string lock_timeout;                // SET LOCAL lock_timeout per migration
  std::string statement_timeout;           // SET LOCAL statement_timeout per migration
  std::optional<double> lock_wait_seconds; // how long to wait for the migration lock
};

/// True if `seconds` can be a lock wait: a finite number from 0 to 10^9 (about 31 years).
bool is_valid_lock_wait(double seconds);

/// Parses preflight.toml text; `path` is used in messages. Throws Error(input) at file:line:col
/// for TOML syntax errors, unknown keys and wrong types.
Config parse_config(std::string_view text, const std::string& path);

} // namespace preflight::config
