// `preflight bench …`: the benchmark commands.

#include <CLI/CLI.hpp>

#include "cli/app.h"

namespace preflight::cli {

void add_bench_command(CLI::App& app, GlobalOptions& globals, int& exit_code) {
  auto* bench = app.add_subcommand("bench", "paired before/after benchmarks of a migration, and the CI gate");
  bench->require_subcommand(1);
  add_bench_compare_command(*bench, globals, exit_code);
}

}  // namespace preflight::cli
