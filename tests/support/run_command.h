#pragma once
// Runs any program for a test (a shell, groff, cpack, an installed preflight) and captures its
// output, as run_preflight() does for the built binary.

#include <string>
#include <vector>

#include "support/case_files.h"
#include "support/test_cluster.h"

namespace preflight::testing {

/// Runs `words` (words[0] a path, or found on PATH) in folder `cwd` with the variables named in
/// `unset` removed and the "NAME=value" entries of `env` added, stdin from /dev/null, killed by
/// SIGALRM after `timeout_seconds` (0: no limit); captures stdout and stderr.
CommandResult run_captured(const std::vector<std::string>& words, const std::string& cwd,
                           const std::vector<std::string>& env,
                           const std::vector<std::string>& unset, unsigned timeout_seconds);

/// Runs `words` (words[0] found on PATH) in folder `cwd` (default: a temp folder) with extra
/// "NAME=value" environment entries, stdin from /dev/null; captures stdout and stderr.
CommandResult run_command(const std::vector<std::string>& words, const std::string& cwd = {},
                          const std::vector<std::string>& env = {});

} // namespace preflight::testing
