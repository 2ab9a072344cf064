#pragma once
// What `bench load` prints (shared with `demo`): the per-operation table before / during / after
// the migration, the stalls, the migration's statements and the statements that blocked.

#include <string>
#include <vector>

#include "core/bench/results.h"

namespace preflight::cli {

/// The lines printed after a load run (empty when `results` has no load part).
std::vector<std::string> load_table(const bench::Results& results);

} // namespace preflight::cli
