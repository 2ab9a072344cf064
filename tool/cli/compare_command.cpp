// `preflight bench compare BASELINE.json CURRENT.json`: the CI gate.

#include <CLI/CLI.hpp>

#include <cstdlib>

#include <fmt/format.h>

#include "cli/app.h"
#include "cli/output.h"
#include "core/bench/compare.h"
#include "core/report/compare_report.h"
#include "io/report/report_files.h"

namespace preflight::cli {

namespace {

struct CompareCommandOptions {
  std::string baseline;
  std::string current;
  double alpha = 0.01;
  std::string min_effect;  // "10%" or "0.1"; empty: per query, else 10 %
  bool strict_env = false;
  bool allow_plan_change = false;
  int confirm = 0;
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
  if (value < 0 || value > 10 || (!percent && value > 1)) {
    throw Error(ErrorKind::usage, fmt::format("--min-effect {}: expected a percentage such as 10% or a fraction such "
                                              "as 0.1",
                                              text));
  }
  return value;
}

// The seam for --confirm: re-measuring needs the benchmark runner of `bench run` (suite,
// dataset, migration state). Until it is wired in here, say so instead of pretending.
bench::Remeasure make_remeasure(GlobalOptions&, const bench::Results& current) {
  throw Error(ErrorKind::usage,
              fmt::format("--confirm cannot re-run suite \"{}\": this build of preflight has no benchmark runner "
                          "for `bench compare`",
                          current.suite_name),
              "run without --confirm, or re-run `preflight bench run` and compare again");
}

// Baselines are tied to where they were measured; --strict-env makes a mismatch bad input (2),
// since nothing was compared, rather than a found problem (1).
void check_environment(const bench::Results& baseline, const bench::Results& current, bool strict) {
  auto differences = bench::environment_differences(baseline.environment, current.environment);
  if (differences.empty()) return;
  if (strict) {
    std::vector<Error> errors{Error(ErrorKind::input,
                                    "refusing to compare: the baseline was measured in a different environment "
                                    "(--strict-env)",
                                    "measure a new baseline in this environment, or drop --strict-env to compare "
                                    "with warnings")};
    for (const auto& d : differences) errors.emplace_back(ErrorKind::input, d);
    throw Error::combine(std::move(errors));
  }
  print_warning(fmt::format("the baseline was measured in a different environment ({} difference{}, listed with the "
                            "findings): the comparison may not mean what it says",
                            differences.size(), differences.size() == 1 ? "" : "s"));
}

void print_without_final_newline(const std::string& text) {
  print_line(text.empty() || text.back() != '\n' ? text : text.substr(0, text.size() - 1));
}

int run_compare(GlobalOptions& globals, const CompareCommandOptions& options) {
  bench::CompareOptions compare;
  compare.alpha = options.alpha;
  if (!options.min_effect.empty()) compare.min_effect = parse_min_effect(options.min_effect);
  compare.allow_plan_change = options.allow_plan_change;
  if (options.confirm > 0 && !globals.database_url && !globals.ephemeral) {
    throw Error(ErrorKind::usage, "--confirm needs a database to re-run the queries on",
                "add --database-url URL or --ephemeral");
  }

  // Load both before judging anything: a bad file is exit 2 whatever the other says.
  auto baseline = report::read_results_file(options.baseline);
  auto current = report::read_results_file(options.current);
  check_environment(baseline, current, options.strict_env);
  bench::Remeasure remeasure;
  if (options.confirm > 0) remeasure = make_remeasure(globals, current);

  auto comparison = bench::compare_results(baseline, current, compare);
  if (options.confirm > 0) bench::confirm_regressions(comparison, baseline, remeasure, options.confirm, compare);

  if (options.format == "json") {
    print_json(report::compare_json(comparison, compare));
  } else if (options.format == "md") {
    print_without_final_newline(report::compare_markdown(comparison, compare));
  } else if (options.format == "github") {
    print_without_final_newline(report::github_annotations(comparison));
    print_without_final_newline(report::compare_text(comparison, compare));
    if (const char* summary = std::getenv("GITHUB_STEP_SUMMARY"); summary && *summary) {
      report::append_text_file(summary, report::limit_summary(report::compare_markdown(comparison, compare)) + "\n");
    }
  } else {
    print_without_final_newline(report::compare_text(comparison, compare));
  }
  return comparison.failed() ? 1 : 0;
}

}  // namespace

void add_bench_compare_command(CLI::App& bench, GlobalOptions& globals, int& exit_code) {
  auto options = std::make_shared<CompareCommandOptions>();
  auto* compare = bench.add_subcommand("compare", "compare results with a baseline; exit 1 on a regression");
  compare->add_option("baseline", options->baseline, "baseline results file")->required();
  compare->add_option("current", options->current, "current results file")->required();
  compare->add_option("--alpha", options->alpha, "significance level of the Mann-Whitney U test (default 0.01)")
      ->check(CLI::Range(1e-9, 0.5));
  compare->add_option("--min-effect", options->min_effect,
                      "smallest slowdown that counts, e.g. 10% (default: the query's min_effect, else 10%)");
  compare->add_flag("--strict-env", options->strict_env,
                    "refuse (exit 2) when server version, settings, durability or machine differ");
  compare->add_flag("--allow-plan-change", options->allow_plan_change,
                    "an index scan that became a sequential scan only warns");
  compare->add_option("--confirm", options->confirm,
                      "re-run regressed queries N times (needs --database-url or --ephemeral); fail only if the "
                      "regression holds in most of them")
      ->check(CLI::Range(0, 100));
  compare->add_option("--format", options->format, "text, json, md or github")
      ->check(CLI::IsMember({"text", "json", "md", "github"}));
  compare->callback([&, options] { exit_code = run_compare(globals, *options); });
}

}  // namespace preflight::cli
