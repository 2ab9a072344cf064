// `preflight bench compare` and `preflight report` as CI runs them: exit codes, the GitHub
// summary file, and refusals.

#include <gtest/gtest.h>

#include "support/case_files.h"
#include "support/test_cluster.h"

using namespace preflight::testing;

namespace {

std::vector<std::string> compare_args(const std::string& name,
                                      std::vector<std::string> extra = {}) {
  auto dir = case_path("compare", name);
  std::vector<std::string> args{"bench", "compare", (dir / "baseline.json").string(),
                                (dir / "current.json").string()};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

TEST(CompareCli, ExitCodesFollowTheFindings) {
  EXPECT_EQ(run_preflight(compare_args("identical")).exit_code, 0);
  EXPECT_EQ(run_preflight(compare_args("shifted_30_percent")).exit_code, 1);
  EXPECT_EQ(run_preflight(compare_args("index_lost_to_seq_scan")).exit_code, 1);
  EXPECT_EQ(
      run_preflight(compare_args("index_lost_to_seq_scan", {"--allow-plan-change"})).exit_code, 0);
  EXPECT_EQ(run_preflight(compare_args("shifted_30_percent", {"--min-effect", "40%"})).exit_code,
            0);
}

TEST(CompareCli, GithubFormatAnnotatesAndAppendsTheSummary) {
  auto dir = make_temp_dir();
  write_file(dir + "/summary.md", "earlier step\n");
  auto r = run_preflight(compare_args("shifted_30_percent", {"--format", "github"}), dir,
                         {"GITHUB_STEP_SUMMARY=" + dir + "/summary.md"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(
      r.out.rfind(
          "::error title=preflight bench compare%3A regression in Get Active Session (after)::", 0),
      0U)
      << r.out;
  auto summary = read_text(dir + "/summary.md");
  EXPECT_EQ(summary.rfind("earlier step\n### preflight bench compare: FAIL: 1 regression\n", 0), 0U)
      << summary;
  EXPECT_NE(summary.find("| Get Active Session | after | 0.0919 / 0.103 ms | 0.119 / 0.134 ms | "
                         "+30.0 % (+21.6 % to "
                         "+38.7 %) | 7.7e-20 | **regression** |"),
            std::string::npos)
      << summary;
}

TEST(CompareCli, StrictEnvironmentRefusesWithExitTwo) {
  auto r = run_preflight(compare_args("environment_mismatch", {"--strict-env"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("preflight: error: refusing to compare: the baseline was measured in a "
                       "different environment or setup (--strict-env)\n"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("  server major version differs: 15 (baseline) vs 16 (current)\n"),
            std::string::npos)
      << r.err;
  auto loose = run_preflight(compare_args("environment_mismatch"));
  EXPECT_EQ(loose.exit_code, 0);
  EXPECT_NE(loose.err.find("preflight: warning: the baseline was measured in a different "
                           "environment or setup (4 differences"),
            std::string::npos)
      << loose.err;
}

// Another suite, scale, seed or mode measures something else: each difference is a warning,
// and --strict-env refuses like it does for the environment.
TEST(CompareCli, StrictEnvironmentRefusesAnotherSuiteScaleSeedOrMode) {
  auto loose = run_preflight(compare_args("run_setup_mismatch"));
  EXPECT_EQ(loose.exit_code, 0);
  EXPECT_NE(loose.err.find("preflight: warning: the baseline was measured in a different "
                           "environment or setup (5 differences"),
            std::string::npos)
      << loose.err;
  auto r = run_preflight(compare_args("run_setup_mismatch", {"--strict-env"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("  scale differs: 1 (baseline) vs 0.02 (current)\n"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("  mode differs: one phase after the other (baseline) vs side by side "
                       "(current)\n"),
            std::string::npos)
      << r.err;
}

TEST(CompareCli, BadInputIsExitTwoNamingTheFile) {
  auto dir = make_temp_dir();
  write_file(dir + "/broken.json", "{\"schema_version\": 1, \"suite\": {}}");
  auto r = run_preflight({"bench", "compare", dir + "/broken.json", dir + "/broken.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("preflight: error: " + dir +
                       "/broken.json: results file: $.suite.name must be present"),
            std::string::npos)
      << r.err;
  // A number JSON allows but a double cannot hold is bad input too, not a bug (exit 70).
  write_file(dir + "/huge.json", "{\"schema_version\": 1e999}");
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"bench", "compare", dir + "/huge.json", dir + "/huge.json"},
        std::vector<std::string>{"report", dir + "/huge.json"}}) {
    auto huge = run_preflight(command);
    EXPECT_EQ(huge.exit_code, 2) << huge.err;
    EXPECT_NE(huge.err.find("preflight: error: " + dir + "/huge.json: not valid JSON: "),
              std::string::npos)
        << huge.err;
  }
  auto min_effect = run_preflight(compare_args("identical", {"--min-effect", "ten"}));
  EXPECT_EQ(min_effect.exit_code, 2);
  EXPECT_NE(min_effect.err.find(
                "--min-effect ten: expected a percentage such as 10% or a fraction such as 0.1"),
            std::string::npos);
}

// NaN compares false with every limit, so a range check alone lets it through: `--alpha nan`
// passed a 3x slowdown.
TEST(CompareCli, NonFiniteNumbersAreRefusedWithReadableLimits) {
  struct Case {
    std::vector<std::string> args;
    std::string error;
  };
  const std::vector<Case> cases{
      {compare_args("shifted_30_percent", {"--alpha", "nan"}),
       "--alpha: nan is not a number from 1e-09 to 0.5"},
      {compare_args("shifted_30_percent", {"--alpha", "0"}),
       "--alpha: 0 is not a number from 1e-09 to 0.5"},
      {compare_args("shifted_30_percent", {"--min-effect", "nan"}), "--min-effect nan: expected"},
      {compare_args("shifted_30_percent", {"--min-effect", "inf%"}), "--min-effect inf%: expected"},
      {{"bench", "run", "suite.toml", "--scale", "nan"},
       "--scale: nan is not a number greater than 0"},
      {{"bench", "run", "suite.toml", "--time-budget", "inf"},
       "--time-budget: inf is not a number greater than 0"},
      {{"bench", "run", "suite.toml", "--scale", "0"}, "--scale: 0 is not a number greater than 0"},
      {{"migrate", "up", "--lock-wait", "nan"}, "--lock-wait: nan is not a number from 0 to 1e+09"},
      {{"migrate", "up", "--trace-locks", "--lock-threshold", "inf"},
       "--lock-threshold: inf is not a number of at least 0"},
  };
  for (const auto& c : cases) {
    auto r = run_preflight(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args.back();
    EXPECT_EQ(r.out, "");
    EXPECT_NE(r.err.find("preflight: error: " + c.error), std::string::npos) << r.err;
  }
}

TEST(CompareCli, ConfirmNeedsADatabase) {
  auto r = run_preflight(compare_args("shifted_30_percent", {"--confirm", "3"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("preflight: error: --confirm needs a database to re-run the suite on\nhint: "
                       "pass --ephemeral (a throwaway cluster), or name a server where preflight "
                       "may create and drop scratch databases: --database-url URL, DATABASE_URL "
                       "(also in .env) or PGHOST / PGDATABASE / PGSERVICE\n"),
            std::string::npos)
      << r.err;
}

TEST(CompareCli, ConfirmTakesTheDatabaseFromTheEnvironmentLikeEveryCommand) {
  // An unreachable server named each way: the re-run tries it (exit 4), not "needs a database".
  auto dir = make_temp_dir();
  write_file(dir + "/.env", "DATABASE_URL=host=/nonexistent dbname=x\n");
  const std::vector<std::pair<std::string, std::vector<std::string>>> ways{
      {make_temp_dir(), {"DATABASE_URL=host=/nonexistent dbname=x"}},
      {dir, {}},
      {make_temp_dir(), {"PGHOST=/nonexistent"}}};
  for (const auto& [cwd, env] : ways) {
    // The suites as the results files name them, relative to the project folder.
    const auto suite = bundled_migrations() + "/../benchmarks/focus_sessions.toml";
    auto r = run_preflight(compare_args("shifted_30_percent", {"--confirm", "2", "--baseline-suite",
                                                               suite, "--current-suite", suite}),
                           cwd, env);
    EXPECT_EQ(r.exit_code, 4) << cwd << r.err;
    EXPECT_NE(r.err.find("cannot connect to the database"), std::string::npos) << r.err;
  }
}

TEST(ReportCli, WritesEachFormatToAFile) {
  auto dir = make_temp_dir();
  auto results = (case_path("report", "focus_sessions") / "results.json").string();
  for (std::string format : {"md", "junit", "html"}) {
    auto out = dir + "/report." + format;
    auto r = run_preflight({"report", results, "--format", format, "-o", out});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "wrote " + out + "\n");
  }
  EXPECT_EQ(read_text(dir + "/report.md"),
            read_text(case_path("report", "focus_sessions") / "report.md"));
  EXPECT_EQ(read_text(dir + "/report.junit"),
            read_text(case_path("report", "focus_sessions") / "report.xml"));
}

} // namespace
