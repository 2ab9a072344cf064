#pragma once
// The [lint] table of preflight.toml, parsed by config::parse_config (which reads the file once
// for every command): kept apart from lint_config.h so that only TOML-reading code sees toml++.

#include <string>

#include <toml++/toml.h>

#include "core/lint/lint_config.h"

namespace preflight::lint {

/// Parses the value of the `lint` key of preflight.toml (`path` for messages); throws
/// Error(input) at file:line:col for a non-table, unknown keys, unknown rule ids and levels
/// other than off/warning/error. lock_timeout_configured is left to the caller.
LintConfig parse_lint_section(const toml::node& lint, const std::string& path);

} // namespace preflight::lint
