// `preflight bench compare BASELINE.json CURRENT.json`: the CI gate.

#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdlib>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "cli/app.h"
#include "cli/bench_run.h"
#include "cli/number_options.h"
#include "cli/output.h"
#include "core/bench/compare.h"
#include "core/report/compare_report.h"
#include "io/bench/paired_remeasure.h"
#include "io/pg/database_target.h"
#include "io/report/report_files.h"

namespace preflight::cli {

namespace {

struct CompareCommandOptions {
  std::string baseline;
  std::string current;
  double alpha = 0.01;
  std::string min_effect; // "10%" or "0.1"; empty: per query, else 10 %
  bool strict_env = false;
  bool allow_plan_change = false;
  int confirm = 0;
  bool confirm_all = false;   // --confirm re-measures every row, not only the regressed ones
  std::string baseline_suite; // --confirm: the suites to re-run, when not where the results say
  std::string current_suite;
  bool allow_cpu_sleep = false; // --confirm: no 0 µs CPU wake-up latency request while re-measuring
  std::string format = "text";
};

double parse_min_effect(const std::string& text) {
  std::string number = text;
  const bool percent = !number.empty() && number.back() == '%';
  if (percent) number.pop_back();
  double value = -1;
  try {
    std::size_t used = 0;
    value = std::stod(number, &used);
    if (used != number.size()) value = -1;
  } catch (const std::exception&) {
    value = -1;
  }
  if (percent) value /= 100;
  if (!std::isfinite(value) || value < 0 || value > 10 || (!percent && value > 1)) {
    throw Error(ErrorKind::usage,
                fmt::format("--min-effect {}: expected a percentage such as 10% or a fraction such "
                            "as 0.1",
                            text));
  }
  return value;
}

// Baselines are tied to where they were measured; --strict-env makes a mismatch bad input (2),
// since nothing was compared, rather than a found problem (1).
void report_environment(const bench::EnvironmentCheck& check) {
  if (check.differences.empty()) return;
  if (check.fatal) {
    std::vector<Error> errors{
        Error(ErrorKind::input,
              "refusing to compare: the baseline was measured in a different environment or "
              "setup (--strict-env)",
              "measure a new baseline in this environment, or drop --strict-env to compare "
              "with warnings")};
    for (const auto& d : check.differences) errors.emplace_back(ErrorKind::input, d);
    throw Error::combine(std::move(errors));
  }
  print_warning(fmt::format(
      "the baseline was measured in a different environment or setup ({} difference{}, listed "
      "with the findings): the comparison may not mean what it says",
      check.differences.size(), check.differences.size() == 1 ? "" : "s"));
}

void print_without_final_newline(const std::string& text) {
  print_line(text.empty() || text.back() != '\n' ? text : text.substr(0, text.size() - 1));
}

int run_compare(GlobalOptions& globals, const CompareCommandOptions& options) {
  bench::CompareOptions compare;
  compare.alpha = options.alpha;
  if (!options.min_effect.empty()) compare.min_effect = parse_min_effect(options.min_effect);
  compare.allow_plan_change = options.allow_plan_change;
  if (options.confirm_all && options.confirm == 0) {
    throw Error(ErrorKind::usage,
                "--confirm-all needs --confirm N (how many side-by-side re-runs)");
  }
  if (options.confirm > 0 && !pg::names_a_database(globals.target_request())) {
    throw Error(ErrorKind::usage, "--confirm needs a database to re-run the suite on",
                "pass --ephemeral (a throwaway cluster), or name a server where preflight may "
                "create and drop scratch databases: --database-url URL, DATABASE_URL (also in "
                ".env) or PGHOST / PGDATABASE / PGSERVICE");
  }

  // Load both before judging anything: a bad file is exit 2 whatever the other says.
  auto baseline = report::read_results_file(options.baseline);
  auto current = report::read_results_file(options.current);
  report_environment(bench::check_environment(baseline, current, options.strict_env));
  std::unique_ptr<bench::PairedRemeasure> paired;
  std::optional<bench::CpuWakeupRequest> wakeup;
  if (options.confirm > 0) {
    wakeup = request_cpu_wakeup(options.allow_cpu_sleep, "--confirm: ", false);
    bench::PairedRemeasureOptions remeasure;
    const auto config = globals.load_config();
    remeasure.history_table = config.history_table;
    remeasure.history_mode = config.history;
    remeasure.baseline_suite = options.baseline_suite;
    remeasure.current_suite = options.current_suite;
    remeasure.open_target = [&globals] { return globals.open_target(); };
    remeasure.progress = [](const std::string& line) { print_progress(line, false, false); };
    paired = std::make_unique<bench::PairedRemeasure>(baseline, current, std::move(remeasure));
  }

  auto comparison = bench::compare_results(baseline, current, compare);
  if (paired) {
    bench::confirm_regressions(
        comparison,
        [&](const std::string& query, const std::string& phase) { return (*paired)(query, phase); },
        options.confirm, compare,
        options.confirm_all ? bench::ConfirmScope::all_rows : bench::ConfirmScope::regressions);
  }

  if (options.format == "json") {
    print_json(report::compare_json(comparison, compare));
  } else if (options.format == "md") {
    print_without_final_newline(report::compare_markdown(comparison, compare));
  } else if (options.format == "github") {
    print_without_final_newline(report::github_annotations(comparison));
    print_without_final_newline(report::compare_text(comparison, compare));
    append_step_summary(report::limit_summary(report::compare_markdown(comparison, compare)) +
                        "\n");
  } else {
    print_without_final_newline(report::compare_text(comparison, compare));
  }
  return comparison.failed() ? 1 : 0;
}

} // namespace

void add_bench_compare_command(CLI::App& bench, GlobalOptions& globals, int& exit_code) {
  auto options = std::make_shared<CompareCommandOptions>();
  auto* compare =
      bench.add_subcommand("compare", "compare results with a baseline; exit 1 on a regression");
  compare->add_option("baseline", options->baseline, "baseline results file")->required();
  compare->add_option("current", options->current, "current results file")->required();
  compare
      ->add_option("--alpha", options->alpha,
                   "significance level of the Mann-Whitney U test (default 0.01)")
      ->check(finite_in(1e-9, 0.5));
  compare->add_option(
      "--min-effect", options->min_effect,
      "smallest slowdown that counts, e.g. 10% (default: the query's min_effect, else 10%)");
  compare->add_flag(
      "--strict-env", options->strict_env,
      "refuse (exit 2) when server version, settings, durability, machine, suite, scale, "
      "seed or mode differ");
  compare->add_flag("--allow-plan-change", options->allow_plan_change,
                    "an index scan that became a sequential scan only warns");
  compare
      ->add_option(
          "--confirm", options->confirm,
          "re-measure each regressed query N times, baseline and current suite side by side (needs "
          "--database-url or --ephemeral); fail only if the regression holds in most of them")
      ->check(CLI::Range(0, 100));
  compare->add_flag(
      "--confirm-all", options->confirm_all,
      "with --confirm: re-measure every row side by side, so that drift between the two runs can "
      "neither invent a regression nor hide one");
  compare->add_option("--baseline-suite", options->baseline_suite,
                      "--confirm: the baseline's suite file (default: the one its results name)");
  compare->add_option("--current-suite", options->current_suite,
                      "--confirm: the current suite file (default: the one its results name)");
  compare->add_flag("--allow-cpu-sleep", options->allow_cpu_sleep,
                    "--confirm: do not hold the CPUs' wake-up latency at 0 µs while re-measuring");
  compare->add_option("--format", options->format, "text, json, md or github")
      ->check(CLI::IsMember({"text", "json", "md", "github"}));
  compare->callback([&, options] { exit_code = run_compare(globals, *options); });
}

} // namespace preflight::cli
