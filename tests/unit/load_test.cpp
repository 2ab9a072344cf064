// `bench load` arithmetic: stalls, phases, timelines, lock attribution, verdicts, JSON.

#include <gtest/gtest.h>

#include "core/bench/evaluate.h"
#include "core/bench/load.h"
#include "core/bench/results.h"
#include "core/bench/suite.h"
#include "core/report/load_report.h"
#include "core/report/report.h"

using namespace preflight;
using namespace preflight::bench;

namespace {

// Executions of operation 0 every 10 ms for 2 s, 1 ms each; those scheduled in [0.5, 1.0) s
// wait for a lock released at 1.0 s.
std::vector<LoadExecution> stalled_traffic() {
  std::vector<LoadExecution> out;
  for (int i = 0; i < 200; ++i) {
    const double at = i * 0.01;
    const double finished = at >= 0.5 && at < 1.0 ? 1.0 + 0.0001 * (i - 50) : at + 0.001;
    out.push_back({0, at, at, finished, LoadOutcome::ok});
  }
  return out;
}

LoadRun one_operation_run() {
  LoadRun run;
  run.rate = 100;
  run.clients = 1;
  run.duration_s = 2;
  run.migration_start_s = 0.5;
  run.migration_end_s = 1.0;
  run.statements = {{2, "migrations/0002_lock.sql", 1, "LOCK TABLE t IN ACCESS EXCLUSIVE MODE", 0.5,
                     0.5005, false},
                    {2, "migrations/0002_lock.sql", 2, "SELECT pg_sleep(0.5)", 0.5005, 1.0, false}};
  LoadOperation op;
  op.name = "read t";
  run.operations.push_back(op);
  return run;
}

} // namespace

TEST(LoadStall, IsTheLongestTimeWithWorkPendingAndNothingFinishing) {
  const auto [stall_ms, at] = longest_stall(stalled_traffic());
  // Pending from the execution scheduled at 0.5 s until the first completion at 1.0 s.
  EXPECT_NEAR(stall_ms, 500, 0.01);
  EXPECT_NEAR(at, 0.5, 1e-9);
}

TEST(LoadStall, OfSteadyTrafficIsItsServiceTime) {
  std::vector<LoadExecution> steady;
  for (int i = 0; i < 100; ++i) steady.push_back({0, i * 0.01, i * 0.01, i * 0.01 + 0.002});
  EXPECT_NEAR(longest_stall(steady).first, 2, 1e-6);
  EXPECT_EQ(longest_stall({}).first, 0);
}

TEST(LoadOutcome, ComesFromTheSqlstate) {
  EXPECT_EQ(outcome_of_sqlstate("55P03"), LoadOutcome::lock_timeout);
  EXPECT_EQ(outcome_of_sqlstate("57014"), LoadOutcome::statement_timeout);
  EXPECT_EQ(outcome_of_sqlstate("40P01"), LoadOutcome::deadlock);
  EXPECT_EQ(outcome_of_sqlstate("40001"), LoadOutcome::serialization);
  EXPECT_EQ(outcome_of_sqlstate("08006"), LoadOutcome::connection);
  EXPECT_EQ(outcome_of_sqlstate(""), LoadOutcome::connection);
  EXPECT_EQ(outcome_of_sqlstate("23505"), LoadOutcome::other);
  EXPECT_EQ(to_string(LoadOutcome::lock_timeout), "lock_timeout");
}

TEST(LoadSummary, SplitsPhasesByScheduledStartAndBucketsByCompletion) {
  auto run = one_operation_run();
  summarize_load(run, stalled_traffic(), {}, {});
  const auto& op = run.operations[0];
  ASSERT_EQ(op.phases.size(), 3U);
  EXPECT_EQ(op.phases[0].phase, "before");
  EXPECT_EQ(op.phases[0].operations, 50);
  EXPECT_EQ(op.phases[1].operations, 50);
  EXPECT_EQ(op.phases[2].operations, 100);
  EXPECT_NEAR(op.phases[1].max_ms, 500, 0.01);
  EXPECT_NEAR(op.phases[0].p50_ms, 1, 1e-6);
  ASSERT_EQ(op.timeline.size(), 20U);
  EXPECT_EQ(op.timeline[7].operations, 0);   // nothing finished while the lock was held
  EXPECT_EQ(op.timeline[10].operations, 60); // the 50 released at 1.0 s, then 10 on time
  EXPECT_NEAR(op.longest_stall_ms, 500, 0.01);
  EXPECT_EQ(run.executions, 200);
  EXPECT_NEAR(run.achieved_rate, 100, 1e-9);
}

TEST(LoadSummary, AttributesAWaitToTheStatementThatTookTheLock) {
  auto run = one_operation_run();
  std::vector<LoadWaitSample> waits;
  for (int i = 0; i < 50; ++i)
    waits.push_back({0.5 + i * 0.01, 0.01, 0, "t", "AccessShareLock", true, 1});
  waits.push_back({1.5, 0.01, 0, "t", "AccessShareLock", false, -1}); // another session's lock
  const LockTakers takers{{"t"}, {}};
  summarize_load(run, stalled_traffic(), waits, takers);
  EXPECT_NEAR(run.operations[0].blocked_ms, 510, 1e-6);
  ASSERT_EQ(run.blocking.size(), 1U);
  EXPECT_EQ(run.blocking[0].statement, 0); // LOCK TABLE, not the pg_sleep running meanwhile
  EXPECT_NEAR(run.blocking[0].blocked_ms, 500, 1e-6);
  EXPECT_EQ(report::load_statement_label(run, 0),
            "migrations/0002_lock.sql:1 LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
}

TEST(LoadHolder, IsTheRunningStatementWhenNoEarlierOneLockedTheRelation) {
  std::vector<LoadStatement> statements{{3, "a.sql", 1, "", 0, 1, false},
                                        {4, "b.sql", 1, "", 1, 2, false},
                                        {4, "b.sql", 2, "", 2, 3, false}};
  const LockTakers takers{{"t"}, {}, {}};
  EXPECT_EQ(lock_holder(statements, takers, 2, "t"), 2); // statement 0 is another migration's
  EXPECT_EQ(lock_holder(statements, takers, 0, "t"), 0);
  EXPECT_EQ(lock_holder(statements, takers, -1, "t"), -1);
}

TEST(LoadResults, RoundTripThroughJsonAndReport) {
  auto run = one_operation_run();
  summarize_load(run, stalled_traffic(), {{0.6, 0.02, 0, "t", "AccessShareLock", true, 1}},
                 {{"t"}});
  run.migration_outcome = "applied";
  run.stop_reason = "finished";
  Results results;
  results.suite_name = "locks";
  results.environment.server_version = "15.18";
  results.load = run;

  Suite suite;
  QuerySpec q;
  q.name = "read t";
  q.load.max_stall_ms = 200;
  q.load.max_errors = 0;
  suite.queries.push_back(q);
  evaluate_load(suite, results);
  ASSERT_EQ(results.verdicts.size(), 2U);
  EXPECT_FALSE(results.verdicts[0].passed);
  EXPECT_EQ(results.verdicts[0].actual, "500.00 ms");
  EXPECT_TRUE(results.verdicts[1].passed);

  const auto back = results_from_json(to_json(results));
  ASSERT_TRUE(back.load.has_value());
  EXPECT_EQ(to_json(back), to_json(results));
  EXPECT_EQ(back.load->operations[0].timeline.size(), 20U);

  const auto markdown = report::render_markdown(back);
  EXPECT_NE(markdown.find("## Migration under traffic"), std::string::npos);
  EXPECT_NE(markdown.find("| migrations/0002_lock.sql:1 LOCK TABLE t IN ACCESS EXCLUSIVE MODE "
                          "| read t | 20 ms | AccessShareLock on t |"),
            std::string::npos)
      << markdown;
  EXPECT_EQ(markdown.find("## Latency before and after"), std::string::npos);
  const auto html = report::render_html(back);
  EXPECT_NE(html.find("<title>read t: p99 latency and throughput"), std::string::npos);
  // Bands wide enough carry their file:line (the 0.5 ms LOCK TABLE's is a tooltip only).
  EXPECT_NE(html.find("0002_lock.sql:2</text>"), std::string::npos);
}

TEST(LoadResults, TimelineTextMarksTheMigration) {
  auto run = one_operation_run();
  summarize_load(run, stalled_traffic(), {}, {});
  const auto text = report::load_timeline_text(run, run.operations[0]);
  // 1 ms buckets, nothing finished while the lock was held, then the released executions.
  EXPECT_EQ(text.substr(0, text.find('\n')), "p99       ▃▃▃▃▃·····█▃▃▃▃▃▃▃▃▃");
  EXPECT_NE(text.find("migration      █████ "), std::string::npos) << text;
}
