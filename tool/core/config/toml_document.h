#pragma once
// The one way preflight parses a TOML file (preflight.toml, suites, checks files): syntax errors
// and NUL characters — raw, or written as \u0000 in a key or string — are refused at
// file:line:column before any value is used.

#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "core/error.h"

namespace preflight::config {

/// Parses TOML `text` read from `path`; throws Error(input) at file:line:column for invalid TOML
/// and for every key or string value that holds a NUL character.
toml::table parse_toml(std::string_view text, const std::string& path);

/// Location of a TOML node or key in `path`, for messages.
Location toml_location(const std::string& path, const toml::source_region& region);

} // namespace preflight::config
