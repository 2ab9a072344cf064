// `preflight bench compare BASELINE.json CURRENT.json`: the CI gate.

#include <CLI/CLI.hpp>

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "cli/app.h"
#include "cli/bench_run.h"
#include "cli/number_options.h"
#include "cli/output.h"
#include "core/bench/compare.h"
#include "core/report/compare_report.h"
#include "io/bench/runner.h"
#include "io/bench/suite_file.h"
#include "io/bench/timing_loop.h"
#include "io/pg/database_target.h"
#include "io/pg/scratch_database.h"
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

// --confirm re-measures both sides of a regressed row in the same minutes: the baseline's suite
// and the current's suite are each set up in a scratch database on one server, and the query is
// timed on the two in alternation. This machine's speed drifts by up to 1.5x over seconds and
// between runs, which is what makes two separate runs disagree; side by side, a drift moves
// both alike and only a real difference remains. One pair of databases per phase, set up once
// however many rounds and queries need it.
class PairedRemeasure {
public:
  PairedRemeasure(GlobalOptions& globals, const bench::Results& baseline,
                  const bench::Results& current, const std::string& baseline_suite,
                  const std::string& current_suite)
      : m_globals(globals), m_history_table(globals.load_config().history_table),
        m_baseline(side_suite("baseline", baseline, baseline_suite)),
        m_current(side_suite("current", current, current_suite)) {}

  PairedRemeasure(const PairedRemeasure&) = delete;
  PairedRemeasure& operator=(const PairedRemeasure&) = delete;

  bench::Remeasured operator()(const std::string& query, const std::string& phase) {
    auto& pair = phase_pair(phase);
    const auto base_request = pair.baseline.runner->prepare(query, phase);
    const auto current_request = pair.current.runner->prepare(query, phase);
    print_progress(
        fmt::format("--confirm: timing {} ({}), baseline and current side by side", query, phase),
        false, false);
    // New server processes every round: on an idle VM one backend can be woken several times
    // slower than another (which CPU it sleeps on), and that must not repeat in every round.
    auto base_session = pair.baseline.database->session().connect_again("preflight bench compare");
    auto current_session =
        pair.current.database->session().connect_again("preflight bench compare");
    auto timed = bench::time_side_by_side(*base_session, base_request, *current_session,
                                          current_request, {});
    if (!timed.on_one_cpu) {
      print_progress(
          fmt::format(
              "--confirm: the two server processes did not share one CPU ({}): a difference "
              "between CPUs counts as a difference between the sides",
              timed.one_cpu_note),
          false, false);
    }
    return {std::move(timed.first.samples_ms), std::move(timed.second.samples_ms),
            timed.on_one_cpu ? "" : timed.one_cpu_note};
  }

private:
  struct Side {
    std::unique_ptr<pg::ScratchDatabase> database;
    std::unique_ptr<bench::BenchRunner> runner;
  };
  struct Pair {
    Side baseline;
    Side current;
  };

  // The suite a results file was measured with, at the scale and seed it was measured with.
  static bench::Suite side_suite(const std::string& side, const bench::Results& results,
                                 const std::string& given) {
    const std::string file = given.empty() ? results.suite_file : given;
    if (file.empty()) {
      throw Error(ErrorKind::input,
                  fmt::format("--confirm: the {} results name no suite file to re-run", side),
                  fmt::format("pass --{}-suite FILE", side));
    }
    bench::Suite suite;
    try {
      suite = bench::load_suite(file); // a bad or missing suite stops here, before any comparison
    } catch (const Error& error) {
      if (!error.hint().empty()) throw error.with_context("--confirm");
      throw Error(error.kind(), "--confirm: " + error.message(),
                  fmt::format("--confirm re-measures the {0} suite; pass --{0}-suite FILE when it "
                              "is somewhere else "
                              "(e.g. in a checkout of the base branch)",
                              side),
                  error.location());
    }
    suite.scale = results.scale;
    suite.seed = results.seed;
    return suite;
  }

  Pair& phase_pair(const std::string& phase) {
    auto found = m_phases.find(phase);
    if (found != m_phases.end()) return found->second;
    if (!m_target) {
      m_target = std::make_unique<pg::DatabaseTarget>(m_globals.open_target());
      m_admin = m_target->connect("preflight bench compare --confirm");
    }
    Pair pair{open_side(m_baseline, phase, "baseline"), open_side(m_current, phase, "current")};
    return m_phases.emplace(phase, std::move(pair)).first->second;
  }

  Side open_side(const bench::Suite& suite, const std::string& phase, const std::string& side) {
    const std::string database = fmt::format("preflight_confirm_{}_{}_{}", getpid(), side, phase);
    print_progress(fmt::format("--confirm: setting up the {} suite ({}) in database {}", side,
                               suite.file, database),
                   false, false);
    Side result;
    result.database =
        std::make_unique<pg::ScratchDatabase>(*m_admin, database, "preflight bench compare");
    bench::RunOptions options;
    options.throwaway_cluster = true; // a scratch database preflight created: no refusals apply
    options.history_table = m_history_table;
    result.runner =
        std::make_unique<bench::BenchRunner>(result.database->session(), suite, options);
    return result;
  }

  GlobalOptions& m_globals;
  std::string m_history_table;
  bench::Suite m_baseline;
  bench::Suite m_current;
  std::unique_ptr<pg::DatabaseTarget> m_target;
  std::unique_ptr<pg::PgSession>
      m_admin; // declared before m_phases: outlives the scratch databases
  std::map<std::string, Pair> m_phases;
};

// Baselines are tied to where they were measured; --strict-env makes a mismatch bad input (2),
// since nothing was compared, rather than a found problem (1).
void check_environment(const bench::Results& baseline, const bench::Results& current, bool strict) {
  auto differences = bench::environment_differences(baseline.environment, current.environment);
  for (auto& d : bench::setup_differences(baseline, current)) differences.push_back(std::move(d));
  if (differences.empty()) return;
  if (strict) {
    std::vector<Error> errors{
        Error(ErrorKind::input,
              "refusing to compare: the baseline was measured in a different environment or "
              "setup (--strict-env)",
              "measure a new baseline in this environment, or drop --strict-env to compare "
              "with warnings")};
    for (const auto& d : differences) errors.emplace_back(ErrorKind::input, d);
    throw Error::combine(std::move(errors));
  }
  print_warning(fmt::format(
      "the baseline was measured in a different environment or setup ({} difference{}, listed "
      "with the findings): the comparison may not mean what it says",
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
  check_environment(baseline, current, options.strict_env);
  std::unique_ptr<PairedRemeasure> paired;
  std::optional<bench::CpuWakeupRequest> wakeup;
  if (options.confirm > 0) {
    wakeup = request_cpu_wakeup(options.allow_cpu_sleep, "--confirm: ", false);
    paired = std::make_unique<PairedRemeasure>(globals, baseline, current, options.baseline_suite,
                                               options.current_suite);
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
