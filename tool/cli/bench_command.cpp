// `preflight bench run`: the paired before/after benchmark of a migration.

#include <CLI/CLI.hpp>

#include "cli/app.h"
#include "cli/bench_load.h"
#include "cli/bench_run.h"
#include "cli/command_context.h"
#include "cli/number_options.h"
#include "cli/output.h"
#include "io/bench/suite_file.h"

namespace preflight::cli {

namespace {

int run_bench(GlobalOptions& globals, const BenchOptions& options) {
  CommandContext context(globals, MigrationFiles::none); // the suite names its migrations
  auto suite = bench::load_suite(options.suite); // validate before starting or touching a database
  auto cx = context.connect("preflight bench");
  auto results = run_suite(std::move(suite), *cx.session, cx.database->cluster() != nullptr,
                           options, cx.history_table);
  if (auto failed = failed_expectations(results)) throw *failed;
  return 0;
}

} // namespace

void add_bench_command(CLI::App& app, GlobalOptions& globals, int& exit_code) {
  auto* bench =
      app.add_subcommand("bench", "paired before/after benchmarks of a migration, and the CI gate");
  bench->require_subcommand(1);
  auto options = std::make_shared<BenchOptions>();
  auto* run =
      bench->add_subcommand("run", "run a benchmark suite (TOML) before and after its migration");
  run->add_option("suite", options->suite, "suite file, e.g. benchmarks/focus_sessions.toml")
      ->required();
  run->add_option("--out", options->out, "results file (default: reports/results.json)");
  run->add_option("--format", options->format,
                  "json, or gbench to also write Google Benchmark JSON")
      ->check(CLI::IsMember({"json", "gbench"}));
  run->add_option("--gbench-out", options->gbench_out,
                  "Google Benchmark JSON file (default: <out>.gbench.json)");
  run->add_option("--scale", options->scale, "dataset scale factor (default: the suite's `scale`)")
      ->check(finite_positive());
  run->add_option("--iterations", options->iterations,
                  "timed executions per query and phase, at most")
      ->check(finite_positive());
  run->add_option("--time-budget", options->time_budget_s,
                  "seconds of timed executions per query and phase, at most")
      ->check(finite_positive());
  run->add_flag(
      "--allow-dataset", options->allow_dataset,
      "with --database-url: load the dataset even though the database already has tables");
  run->add_flag("--allow-writes", options->allow_writes,
                "with --database-url: run writes = true queries (each execution is rolled back)");
  run->add_flag("--side-by-side", options->side_by_side,
                "time before and after in alternation, the after phase in a second database with "
                "the same data "
                "(created and dropped on the same server)");
  run->add_flag("--allow-cpu-sleep", options->allow_cpu_sleep,
                "do not hold the CPUs' wake-up latency at 0 µs while timing (held by default when "
                "/dev/cpu_dma_latency is writable, i.e. as root)");
  run->callback([&, options] { exit_code = run_bench(globals, *options); });
  add_bench_compare_command(*bench, globals, exit_code);
  add_bench_load_command(*bench, globals, exit_code);
}

} // namespace preflight::cli
