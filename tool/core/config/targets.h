#pragma once
// The databases (or schemas) a fleet run drives: `[[target]]` tables of preflight.toml and
// `--targets FILE` lists. Parsed from text so that every problem names file and line.

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace preflight::config {

struct TargetSpec {
  std::string name;    // what every line of output shows; unique within a fleet
  std::string url;     // libpq URL or keyword string; may carry a password: never print it
  std::string url_env; // or the environment variable holding it, read when the run starts
  std::string schema;  // schema-per-tenant: search_path and the history table live here
  Location location;   // where the target was declared
};

/// The database name a libpq URL or keyword string names ("" when it names none); URL
/// percent-encoding is decoded and a `dbname` query parameter wins, as in libpq.
std::string database_name_of(std::string_view conninfo);

/// True if `name` can name a target: 1 to 63 bytes, no whitespace or control characters.
bool is_target_name(std::string_view name);

/// Parses a `--targets` file: one target a line, `URL` (named after its database) or `name=URL`;
/// blank lines and lines starting with `#` are skipped. Throws Error(input) at file:line for
/// every bad line at once (no database name, bad name, not a connection string, duplicates).
std::vector<TargetSpec> parse_targets_file(std::string_view text, const std::string& path);

/// Throws Error(input) naming every duplicate name (at the later declaration) and, when
/// `where` is given, an empty list.
void check_targets(const std::vector<TargetSpec>& targets, const std::string& where);

} // namespace preflight::config
