// Fleet logic without a server: shard membership, the rollout policy, target lists and the
// report renderings.

#include <gtest/gtest.h>

#include <map>
#include <set>

#include <fmt/format.h>

#include "core/config/config.h"
#include "core/config/targets.h"
#include "core/error.h"
#include "core/fleet/fleet_report.h"
#include "core/fleet/rollout.h"
#include "core/fleet/shard.h"
#include "support/refusal.h"

using namespace preflight;

namespace {

std::vector<std::string> tenant_names(std::size_t n) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < n; ++i) names.push_back(fmt::format("tenant_{:03}", i));
  return names;
}

TEST(Shard, EveryTargetBelongsToExactlyOneShardForEachCountFromOneToEight) {
  const auto names = tenant_names(200);
  for (std::uint32_t n = 1; n <= 8; ++n) {
    std::map<std::string, int> owners;
    std::vector<std::size_t> sizes(n, 0);
    for (std::uint32_t i = 1; i <= n; ++i) {
      for (const auto& name : names) {
        if (fleet::owns(fleet::Shard{i, n}, name)) {
          ++owners[name];
          ++sizes[i - 1];
        }
      }
    }
    ASSERT_EQ(owners.size(), names.size()) << "n = " << n;
    for (const auto& [name, count] : owners) EXPECT_EQ(count, 1) << name << ", n = " << n;
    // Rendezvous hashing spreads 200 names evenly enough that no runner idles or takes double.
    for (std::size_t size : sizes) {
      EXPECT_GT(size, 200 / n / 2) << "n = " << n;
      EXPECT_LT(size, 200 / n * 2) << "n = " << n;
    }
  }
}

TEST(Shard, MembershipIsFixedAcrossRunsAndAddingARunnerMovesOnlyWhatTheNewOneTakes) {
  // Fixed values: changing the hash would reshuffle every fleet that is already split.
  EXPECT_EQ(fleet::shard_of("tenant_000", 4), fleet::shard_of("tenant_000", 4));
  const auto names = tenant_names(500);
  std::size_t moved = 0;
  for (const auto& name : names) {
    const auto before = fleet::shard_of(name, 4);
    const auto after = fleet::shard_of(name, 5);
    if (before != after) {
      ++moved;
      EXPECT_EQ(after, 5U) << name << " moved between two old runners";
    }
  }
  EXPECT_GT(moved, 50U);
  EXPECT_LT(moved, 160U); // about 1/5 of 500
}

TEST(Shard, ParsesIOverNAndRefusesEverythingElse) {
  EXPECT_EQ(fleet::parse_shard("2/4").index, 2U);
  EXPECT_EQ(fleet::parse_shard("2/4").total, 4U);
  EXPECT_EQ(fleet::parse_shard("1/1").to_string(), "1/1");
  for (const char* bad : {"0/4", "5/4", "1/0", "a/b", "1", "1/", "/4", "-1/4", "1/4/2", " 1/4"}) {
    try {
      fleet::parse_shard(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::usage) << bad;
    }
  }
  try {
    fleet::parse_shard("5/4");
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "--shard 5/4: shard 5/4 is not a shard (1 ≤ i ≤ n ≤ 10000)");
  }
}

fleet::EnvironmentLookup env(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end() || it->second.empty()) return std::nullopt;
    return it->second;
  };
}

TEST(Shard, AutoReadsGitHubGitLabAndKubernetesConventions) {
  auto github = fleet::shard_from_environment(
      env({{"PREFLIGHT_SHARD_INDEX", "3"}, {"PREFLIGHT_SHARD_TOTAL", "4"}}));
  EXPECT_EQ(github.to_string(), "3/4");
  auto gitlab =
      fleet::shard_from_environment(env({{"CI_NODE_INDEX", "1"}, {"CI_NODE_TOTAL", "2"}}));
  EXPECT_EQ(gitlab.to_string(), "1/2");
  // Kubernetes counts from 0.
  auto k8s = fleet::shard_from_environment(
      env({{"JOB_COMPLETION_INDEX", "0"}, {"PREFLIGHT_SHARD_TOTAL", "3"}}));
  EXPECT_EQ(k8s.to_string(), "1/3");
  auto k8s_last = fleet::shard_from_environment(
      env({{"JOB_COMPLETION_INDEX", "2"}, {"PREFLIGHT_SHARD_TOTAL", "3"}}));
  EXPECT_EQ(k8s_last.to_string(), "3/3");
  // The explicit variables win over a CI system's own.
  auto both = fleet::shard_from_environment(env({{"PREFLIGHT_SHARD_INDEX", "2"},
                                                 {"PREFLIGHT_SHARD_TOTAL", "2"},
                                                 {"CI_NODE_INDEX", "1"},
                                                 {"CI_NODE_TOTAL", "2"}}));
  EXPECT_EQ(both.to_string(), "2/2");
}

TEST(Shard, AutoRefusesAMissingOrBadEnvironmentNamingTheVariables) {
  const auto message = [](std::map<std::string, std::string> values) {
    try {
      fleet::shard_from_environment(env(std::move(values)));
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::usage);
      return e.message();
    }
    return std::string("accepted");
  };
  EXPECT_EQ(message({}), "--shard auto: no shard in the environment (PREFLIGHT_SHARD_INDEX, "
                         "CI_NODE_INDEX or JOB_COMPLETION_INDEX)");
  EXPECT_EQ(message({{"JOB_COMPLETION_INDEX", "0"}}),
            "--shard auto: JOB_COMPLETION_INDEX is set but PREFLIGHT_SHARD_TOTAL is not");
  EXPECT_EQ(message({{"CI_NODE_INDEX", "x"}, {"CI_NODE_TOTAL", "2"}}),
            "--shard auto: CI_NODE_INDEX=x is not a whole number");
  EXPECT_EQ(message({{"CI_NODE_INDEX", "0"}, {"CI_NODE_TOTAL", "2"}}),
            "--shard auto (CI_NODE_INDEX, CI_NODE_TOTAL): shard 0/2 is not a shard (1 ≤ i ≤ n ≤ "
            "10000)");
  EXPECT_EQ(message({{"JOB_COMPLETION_INDEX", "3"}, {"PREFLIGHT_SHARD_TOTAL", "3"}}),
            "--shard auto (JOB_COMPLETION_INDEX + 1, PREFLIGHT_SHARD_TOTAL): shard 4/3 is not a "
            "shard (1 ≤ i ≤ n ≤ 10000)");
}

// Drives a rollout the way the runner does with `parallel` workers; returns the order of starts
// and which targets never started. Targets in `failing` fail.
struct Drive {
  std::vector<std::size_t> started;
  std::string stop_reason;
};

Drive drive(std::size_t targets, fleet::RolloutPolicy policy, std::size_t parallel,
            std::set<std::size_t> failing) {
  fleet::Rollout rollout(targets, policy);
  Drive d;
  std::vector<std::size_t> running;
  for (int guard = 0; guard < 10'000 && !rollout.done(); ++guard) {
    while (running.size() < parallel) {
      auto next = rollout.next();
      if (!next) break;
      running.push_back(*next);
      d.started.push_back(*next);
    }
    if (running.empty()) break;
    const std::size_t finished = running.front();
    running.erase(running.begin());
    rollout.finished(!failing.contains(finished));
  }
  EXPECT_TRUE(rollout.done());
  d.stop_reason = rollout.stop_reason();
  return d;
}

TEST(Rollout, ContinuesPastFailuresByDefault) {
  auto d = drive(10, {}, 3, {2, 5});
  EXPECT_EQ(d.started.size(), 10U);
  EXPECT_EQ(d.stop_reason, "");
}

TEST(Rollout, FailFastStartsNothingAfterTheFirstFailureButLetsRunningTargetsFinish) {
  auto d = drive(10, {0, 1}, 3, {1});
  // 0, 1, 2 start together; 0 finishes and 3 starts; then 1 fails.
  EXPECT_EQ(d.started, (std::vector<std::size_t>{0, 1, 2, 3}));
  EXPECT_EQ(d.stop_reason, "a target failed (--fail-fast): the other targets were not started");
}

TEST(Rollout, MaxFailuresStopsAtTheLimit) {
  auto d = drive(10, {0, 2}, 1, {1, 3, 4});
  EXPECT_EQ(d.started, (std::vector<std::size_t>{0, 1, 2, 3}));
  EXPECT_EQ(d.stop_reason,
            "2 targets failed (--max-failures 2): the other targets were not started");
}

TEST(Rollout, CanariesRunAloneFirstAndAFailingCanaryStopsTheRest) {
  // With 4 workers and 2 canaries, nothing else starts until both canaries finished.
  fleet::Rollout rollout(10, {2, std::nullopt});
  EXPECT_EQ(rollout.next(), 0U);
  EXPECT_EQ(rollout.next(), 1U);
  EXPECT_EQ(rollout.next(), std::nullopt);
  rollout.finished(true);
  EXPECT_EQ(rollout.next(), std::nullopt);
  rollout.finished(true);
  EXPECT_EQ(rollout.next(), 2U);

  auto d = drive(10, {2, std::nullopt}, 4, {1});
  EXPECT_EQ(d.started, (std::vector<std::size_t>{0, 1}));
  EXPECT_EQ(d.stop_reason,
            "a canary failed (--canary 2): the targets after the canaries were not started");
  auto healthy = drive(10, {2, std::nullopt}, 4, {7});
  EXPECT_EQ(healthy.started.size(), 10U);
}

TEST(TargetsFile, UrlsNamesCommentsAndKeywordStrings) {
  auto targets =
      config::parse_targets_file("# tenants\n"
                                 "\n"
                                 "postgres://app:s3cret@db1:5432/tenant_001?sslmode=require\n"
                                 "  eu=postgresql://app@db2/shop  \n"
                                 "host=/tmp dbname='tenant_002' port=5433\n"
                                 "postgres://db3/x?dbname=tenant%5F003\n",
                                 "fleet.txt");
  ASSERT_EQ(targets.size(), 3U + 1U);
  EXPECT_EQ(targets[0].name, "tenant_001");
  EXPECT_EQ(targets[0].url, "postgres://app:s3cret@db1:5432/tenant_001?sslmode=require");
  EXPECT_EQ(targets[0].location.to_string(), "fleet.txt:3");
  EXPECT_EQ(targets[1].name, "eu");
  EXPECT_EQ(targets[1].url, "postgresql://app@db2/shop");
  EXPECT_EQ(targets[2].location.to_string(), "fleet.txt:5");
  EXPECT_EQ(targets[3].name, "tenant_003");
}

TEST(TargetsFile, EveryBadLineIsReportedAtOnce) {
  try {
    config::parse_targets_file("postgres://db/a\n"
                               "postgres://db\n"
                               "just words\n"
                               "postgres://other/a\n"
                               "a b=postgres://db/c\n",
                               "fleet.txt");
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::input);
    EXPECT_EQ(preflight::testing::all_headlines(e),
              (std::vector<std::string>{
                  "fleet.txt:2: the connection string names no database",
                  "fleet.txt:3: not a connection string",
                  "fleet.txt:5: a target name is 1 to 63 characters, no spaces",
                  "fleet.txt:4: duplicate target name `a`",
              }));
  }
  try {
    config::parse_targets_file("# nothing yet\n\n", "fleet.txt");
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.headline(), "fleet.txt: no targets");
  }
}

TEST(ConfigTargets, TargetTablesWithUrlEnvAndSchema) {
  auto config = config::parse_config("migrations = \"db\"\n"
                                     "[[target]]\n"
                                     "name = \"eu\"\n"
                                     "url_env = \"EU_DATABASE_URL\"\n"
                                     "[[target]]\n"
                                     "name = \"acme\"\n"
                                     "url = \"postgres://db/saas\"\n"
                                     "schema = \"acme\"\n",
                                     "preflight.toml");
  ASSERT_EQ(config.targets.size(), 2U);
  EXPECT_EQ(config.targets[0].url_env, "EU_DATABASE_URL");
  EXPECT_EQ(config.targets[1].schema, "acme");
  EXPECT_EQ(config.targets[1].location.file, "preflight.toml");
  EXPECT_EQ(config.migrations, "db");
}

fleet::FleetReport sample_report() {
  fleet::FleetReport report;
  report.command = "migrate up";
  report.parallel = 4;
  report.fleet_size = 3;
  report.duration_ns = 1'500'000'000;
  fleet::TargetOutcome ok{"tenant_001", fleet::TargetResult::ok, 1, 3, 2,
                          120'000'000,  "applied 2 migrations",  ""};
  fleet::TargetOutcome failed{"tenant_002",
                              fleet::TargetResult::failed,
                              1,
                              2,
                              1,
                              80'000'000,
                              "migration 3 (c) failed: ERROR 42P07: relation \"c\" already exists",
                              "m/0003_c.sql:1:14: migration 3 (c) failed: ERROR 42P07: relation "
                              "\"c\" already exists\nhint: migration 3 was rolled back"};
  fleet::TargetOutcome skipped{"tenant_003", fleet::TargetResult::skipped, {}, {}, 0, 0, "", ""};
  report.targets = {ok, failed, skipped};
  report.stop_reason = "a target failed (--fail-fast): the other targets were not started";
  return report;
}

TEST(FleetReport, TableNamesEveryTargetWithVersionsDurationAndResult) {
  EXPECT_EQ(fleet::render_table(sample_report()),
            "target         from → to    duration  result\n"
            "tenant_001         1 → 3    120.0 ms  ok: applied 2 migrations\n"
            "tenant_002         1 → 2     80.0 ms  FAILED: migration 3 (c) failed: ERROR 42P07: "
            "relation \"c\" already exists\n"
            "tenant_003                            skipped\n"
            "3 targets: 1 ok, 1 failed, 0 history mismatch, 1 skipped in 1.50 s\n"
            "stopped: a target failed (--fail-fast): the other targets were not started\n");
  EXPECT_EQ(fleet::exit_code(sample_report()), 1);
  auto mismatch = sample_report();
  mismatch.targets[0].result = fleet::TargetResult::history_mismatch;
  EXPECT_EQ(fleet::exit_code(mismatch), 3);
}

TEST(FleetReport, VersionsAreShownAsTheLayoutsToolWritesThem) {
  auto report = sample_report();
  report.targets[0].from_text = "1.2"; // Flyway's dotted versions, keyed by rank inside
  report.targets[0].to_text = "1.10";
  EXPECT_NE(fleet::render_table(report).find("tenant_001    1.2 → 1.10    120.0 ms"),
            std::string::npos)
      << fleet::render_table(report);
  const auto json = fleet::to_json(report);
  EXPECT_EQ(json["targets"][0]["from_version_text"], "1.2");
  EXPECT_EQ(json["targets"][0]["to_version_text"], "1.10");
  EXPECT_FALSE(json["targets"][1].contains("from_version_text"));
}

TEST(FleetReport, JsonGithubAndJunitHaveOneEntryPerTarget) {
  auto json = fleet::to_json(sample_report());
  EXPECT_EQ(json["targets"].size(), 3U);
  EXPECT_EQ(json["targets"][1]["result"], "failed");
  EXPECT_EQ(json["targets"][1]["from_version"], 1);
  EXPECT_TRUE(json["targets"][2]["to_version"].is_null());
  EXPECT_EQ(json["counts"]["skipped"], 1);

  EXPECT_EQ(fleet::render_github(sample_report()),
            "::notice title=migrate up tenant_001::1 → 3: applied 2 migrations\n"
            "::error title=migrate up tenant_002::m/0003_c.sql:1:14: migration 3 (c) failed: "
            "ERROR 42P07: relation \"c\" already exists%0Ahint: migration 3 was rolled back\n"
            "::warning title=migrate up tenant_003::not started: a target failed (--fail-fast): "
            "the other targets were not started\n");
  const auto junit = fleet::render_junit(sample_report());
  EXPECT_NE(junit.find("<testsuite name=\"preflight migrate up\" tests=\"3\" failures=\"1\" "
                       "errors=\"0\" skipped=\"1\" time=\"1.500\">"),
            std::string::npos)
      << junit;
  EXPECT_NE(junit.find("<testcase classname=\"preflight migrate up\" name=\"tenant_002\" "
                       "time=\"0.080\"><failure message=\"migration 3 (c) failed: ERROR 42P07: "
                       "relation &quot;c&quot; already exists\" type=\"failed\">"),
            std::string::npos)
      << junit;
}

} // namespace
