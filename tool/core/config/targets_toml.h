#pragma once
// `[[target]]` tables as toml++ hands them to the preflight.toml parser (config.cpp); kept apart
// from targets.h so that only the two parsers see toml++.

#include <string>
#include <vector>

#include <toml++/toml.h>

#include "core/config/targets.h"

namespace preflight::config {

/// The `target` node of preflight.toml (an array of tables) as targets; throws Error(input) at
/// file:line:col for a wrong type, an unknown or missing key and duplicate names.
std::vector<TargetSpec> parse_target_tables(const toml::node& node, const std::string& path);

} // namespace preflight::config
