// `preflight bench compare BASELINE.json CURRENT.json`: the CI gate.

#include <CLI/CLI.hpp>

#include <unistd.h>

#include <cstdlib>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "cli/app.h"
#include "cli/output.h"
#include "core/bench/compare.h"
#include "core/report/compare_report.h"
#include "cli/bench_run.h"
#include "io/bench/suite_file.h"
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

// --confirm re-runs the current results' suite (same file, scale and seed) in a fresh database
// for each confirmation round; every regressed row of that round reads its samples from it, so
// N rounds cost N suite runs however many queries regressed.
class SuiteRemeasure {
public:
  SuiteRemeasure(GlobalOptions& globals, const bench::Results& current)
      : m_globals(globals), m_suite_file(current.suite_file), m_scale(current.scale), m_seed(current.seed) {
    if (m_suite_file.empty()) {
      throw Error(ErrorKind::input, "--confirm: the current results name no suite file to re-run");
    }
    bench::load_suite(m_suite_file);  // a bad or missing suite stops here, before any comparison
  }

  std::vector<double> operator()(const std::string& query, const std::string& phase) {
    const std::size_t round = m_calls[query + "\n" + phase]++;
    while (m_rounds.size() <= round) m_rounds.push_back(measure_once());
    const auto* q = m_rounds[round].find_query(query);
    const auto* p = q ? q->find_phase(phase) : nullptr;
    if (!p) throw Error(ErrorKind::input, fmt::format("--confirm: the suite no longer measures {} ({})", query, phase));
    return p->samples_ms;
  }

private:
  bench::Results measure_once() {
    auto suite = bench::load_suite(m_suite_file);
    suite.scale = m_scale;
    suite.seed = m_seed;
    if (!m_target) m_target = std::make_unique<pg::DatabaseTarget>(m_globals.open_target());
    const std::string database = fmt::format("preflight_confirm_{}_{}", getpid(), m_rounds.size() + 1);
    print_line(fmt::format("--confirm: re-running {} (round {}) in database {}", m_suite_file, m_rounds.size() + 1,
                           database));
    auto admin = m_target->connect("preflight bench compare --confirm");
    admin->exec("CREATE DATABASE " + admin->quote_name(database));
    struct Drop {
      pg::PgSession& admin;
      std::string name;
      ~Drop() { admin.try_exec("DROP DATABASE IF EXISTS " + admin.quote_name(name) + " WITH (FORCE)"); }
    } drop{*admin, database};
    auto session = pg::PgSession::connect(with_database(m_target->conninfo(), database), "preflight bench compare");
    return measure_suite(std::move(suite), *session, true, m_globals.load_config().history_table);
  }

  // A libpq keyword string or URL for another database on the same server: expand_dbname lets a
  // later dbname keyword override the one inside the first.
  static std::string with_database(const std::string& conninfo, const std::string& database) {
    return conninfo + (conninfo.find("://") != std::string::npos ? (conninfo.find('?') == std::string::npos ? "?" : "&") +
                                                                      std::string("dbname=") + database
                                                                : " dbname=" + database);
  }

  GlobalOptions& m_globals;
  std::string m_suite_file;
  double m_scale;
  std::uint64_t m_seed;
  std::unique_ptr<pg::DatabaseTarget> m_target;
  std::vector<bench::Results> m_rounds;
  std::map<std::string, std::size_t> m_calls;
};

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
    throw Error(ErrorKind::usage, "--confirm needs a database to re-run the suite on",
                "pass --ephemeral (a throwaway cluster) or --database-url URL (a server where preflight may "
                "create and drop scratch databases)");
  }

  // Load both before judging anything: a bad file is exit 2 whatever the other says.
  auto baseline = report::read_results_file(options.baseline);
  auto current = report::read_results_file(options.current);
  check_environment(baseline, current, options.strict_env);
  bench::Remeasure remeasure;
  if (options.confirm > 0) {
    auto rounds = std::make_shared<SuiteRemeasure>(globals, current);
    remeasure = [rounds](const std::string& query, const std::string& phase) { return (*rounds)(query, phase); };
  }

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
