#pragma once
// Reads what `preflight lint` was pointed at: migration folders and single .sql files.

#include <cstddef>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/lint/linter.h"

namespace preflight::lint {

struct LintSources {
  std::vector<LintMigration> migrations; // in the order given; a folder's in version order
  std::size_t files = 0;                 // SQL files read
  /// Down scripts that cannot run (another tool's layout): reported, not linted, not fatal.
  std::vector<Error> down_problems;
};

/// Reads every path: a folder is a migration set (validated as `migrate` does), a file is one
/// migration on its own. Throws Error(input) naming the path when it cannot be read.
/// `layout` names the folders' layout ("" detects it).
LintSources load_lint_sources(const std::vector<std::string>& paths,
                              const std::string& layout = {});

} // namespace preflight::lint
