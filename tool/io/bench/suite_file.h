#pragma once
// Reads a suite file and the dataset file it names (the pure parsing is core/bench/suite).

#include <string>

#include "core/bench/suite.h"

namespace preflight::bench {

/// Parses the suite at `path` and reads its dataset file; throws Error(input) naming the file
/// (and the `dataset.file` key's line) when either is missing or the suite is invalid.
Suite load_suite(const std::string& path);

/// Resolves `before`/`after` given as text against the migrations (version_argument), and throws
/// Error(input) located at the suite's `migrations`, `before` or `after` key when the folder is
/// missing or holds no migration of that version (or its migrations are invalid), or when `after`
/// does not come after `before`.
void check_suite_migrations(Suite& suite);

} // namespace preflight::bench
