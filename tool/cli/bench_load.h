#pragma once
// What `bench load` prints (shared with `demo`): the per-operation table before / during / after
// the migration, the stalls, the migration's statements and the statements that blocked.

#include <string>
#include <vector>

#include "core/bench/results.h"

namespace CLI {
class App;
}

namespace preflight::cli {

struct GlobalOptions;

/// Adds `bench load` under `bench`; sets `exit_code` when it runs.
void add_bench_load_command(CLI::App& bench, GlobalOptions& globals, int& exit_code);

/// The lines printed after a load run (empty when `results` has no load part).
std::vector<std::string> load_table(const bench::Results& results);

} // namespace preflight::cli
