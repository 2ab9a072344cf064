// `preflight bench run`: the paired before/after benchmark of a migration, on one database or on
// each target of a fleet in turn, side by side.

#include <cctype>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/app.h"
#include "cli/bench_load.h"
#include "cli/bench_run.h"
#include "cli/command_context.h"
#include "cli/fleet_run.h"
#include "cli/number_options.h"
#include "cli/output.h"
#include "io/bench/suite_file.h"

namespace preflight::cli {

namespace {

struct BenchCommandOptions {
  BenchOptions bench;
  FleetOptions fleet;
  const CLI::Option* parallel = nullptr; // given on the command line?
};

// `reports/results.json` → `reports/results.<target>.json`; the name kept to what a file name
// can hold.
std::string per_target_path(const std::string& path, const std::string& target) {
  std::string name;
  for (char c : target)
    name += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
  const auto dot = path.rfind('.');
  const auto slash = path.rfind('/');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash))
    return path + "." + name;
  return path.substr(0, dot) + "." + name + path.substr(dot);
}

// Each target in turn (timings taken at once would disturb each other), its results in a file
// of its own, then one table of them all.
int run_bench_targets(const CommandContext& context, const GlobalOptions& globals,
                      const BenchCommandOptions& options, const bench::Suite& suite) {
  if (options.parallel != nullptr && options.parallel->count() > 0 && options.fleet.parallel != 1) {
    throw Error(ErrorKind::usage, "bench run measures one target at a time: --parallel must be 1",
                "timings taken on several targets at once would disturb each other");
  }
  auto fleet = options.fleet;
  fleet.parallel = 1;
  std::vector<std::pair<std::string, bench::Results>> all;
  auto report = run_fleet(context, globals, fleet, "bench run", [&](const config::TargetSpec& t) {
    print_line(fmt::format("\n== {}", t.name));
    auto cx = context.connect(t, "preflight bench");
    auto per_target = options.bench;
    per_target.out = per_target_path(options.bench.out, t.name);
    if (options.bench.gbench_out)
      per_target.gbench_out = per_target_path(*options.bench.gbench_out, t.name);
    auto results =
        run_suite(suite, *cx.session, false, per_target, context.config(), cx.history_table);
    fleet::TargetOutcome outcome;
    outcome.from_version = suite.before;
    outcome.to_version = suite.after;
    outcome.from_text = suite.before_text;
    outcome.to_text = suite.after_text;
    if (auto failed = failed_expectations(results)) {
      outcome.result = fleet::TargetResult::failed;
      outcome.summary = failed->message();
      outcome.detail = fleet::describe_error(*failed);
    } else {
      outcome.result = fleet::TargetResult::ok;
      outcome.summary =
          fmt::format("{} operations measured: {}", results.queries.size(), per_target.out);
    }
    all.emplace_back(t.name, std::move(results));
    return outcome;
  });
  print_line("");
  print_fleet_report(report, "text");
  if (!all.empty()) {
    print_line("\nSide by side: p50 before → after (ratio)");
    for (const auto& line : side_by_side_table(all)) print_line(line);
  }
  print_fleet_failures(report);
  return fleet::exit_code(report);
}

int run_bench(GlobalOptions& globals, const BenchCommandOptions& command) {
  const auto& options = command.bench;
  CommandContext context(globals, MigrationFiles::none); // the suite names its migrations
  auto suite = bench::load_suite(options.suite); // validate before starting or touching a database
  if (is_fleet_run(command.fleet, globals, context.config()))
    return run_bench_targets(context, globals, command, suite);
  auto cx = context.connect("preflight bench");
  auto results = run_suite(std::move(suite), *cx.session, cx.database->cluster() != nullptr,
                           options, context.config(), cx.history_table);
  if (auto failed = failed_expectations(results)) throw *failed;
  return 0;
}

} // namespace

void add_bench_command(CLI::App& app, GlobalOptions& globals, int& exit_code) {
  auto* bench =
      app.add_subcommand("bench", "paired before/after benchmarks of a migration, and the CI gate");
  bench->require_subcommand(1);
  auto command = std::make_shared<BenchCommandOptions>();
  auto* options = &command->bench;
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
  add_fleet_options(*run, command->fleet);
  command->parallel = run->get_option("--parallel");
  run->callback([&, command] { exit_code = run_bench(globals, *command); });
  add_bench_compare_command(*bench, globals, exit_code);
  add_bench_load_command(*bench, globals, exit_code);
}

} // namespace preflight::cli
