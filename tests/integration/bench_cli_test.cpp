// `preflight bench run` end to end: the real binary against a real PostgreSQL.

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/bench_run.h"
#include "io/bench/cpu_wakeup.h"
#include "support/case_files.h"
#include "support/test_cluster.h"

using namespace preflight::testing;

namespace {

// A table without an index on k (version 1) and the index (version 2), 20,000 rows.
std::string make_project(const std::string& query_toml) {
  auto dir = make_temp_dir();
  write_file(dir + "/migrations/0001_items.sql",
             "CREATE TABLE items (id bigint PRIMARY KEY, k int NOT NULL, v text);\n");
  write_file(dir + "/migrations/0002_items_k.sql", "CREATE INDEX items_k ON items (k);\n");
  write_file(dir + "/suite.toml", R"(name = "items"
migrations = "migrations"
before = 1
after = 2
seed = 3

[dataset]
sql = "INSERT INTO items SELECT g, g % 5000, 'v' || g FROM generate_series(1, (20000 * {scale})::int) g"

[defaults]
warmup = 6
iterations = 30
time_budget = 5
)" + query_toml);
  return dir;
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());
}

const std::string k_lookup = R"(
[[queries]]
name = "lookup"
sql = "SELECT id, v FROM items WHERE k = $1"
params = [{ int = [0, 4999] }]

[queries.before]
index_backed = "items"

[queries.after]
index_backed = "items"
no_seq_scan = ["items"]
)";

// A suite whose dataset is the file `dataset` (relative to the project).
std::string suite_with_dataset_file(const std::string& dataset) {
  return "migrations = \"migrations\"\nbefore = 1\nafter = 2\n[dataset]\nfile = \"" + dataset +
         "\"\n[[queries]]\nname = \"q\"\nsql = \"SELECT 1\"\n";
}

// Bad input: exit 2 with `error` on stderr, and the database not even migrated.
void expect_refused_before_anything_ran(const CommandResult& r, const std::string& error,
                                        const TestDatabase& db) {
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("preflight: error: " + error), std::string::npos) << r.err;
  EXPECT_EQ(db.scalar("SELECT to_regclass('_sqlx_migrations') IS NULL"), "t");
}

TEST(BenchCli, IndexExpectationFailsBeforeAndPassesAfterWithExitOneNamingTheQuery) {
  TestDatabase db;
  auto dir = make_project(k_lookup);
  auto r = run_preflight({"bench", "run", "suite.toml", "--database-url", db.conninfo(), "--out",
                          "out/results.json", "--format", "gbench"},
                         dir, {"CI=true"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(
      r.err.find(
          "preflight: error: 1 expectation failed: \"lookup\" (before) plan index_backed items"),
      std::string::npos)
      << r.err;
  EXPECT_NE(r.out.find("lookup     "), std::string::npos) << r.out;
  auto results = read_json(dir + "/out/results.json");
  EXPECT_EQ(results["schema_version"], 1);
  std::string verdicts;
  for (const auto& v : results["verdicts"]) {
    verdicts += v["phase"].get<std::string>() + " " + v["name"].get<std::string>() + " " +
                (v["passed"].get<bool>() ? "pass" : "fail") + "\n";
  }
  EXPECT_EQ(verdicts, "before index_backed items fail\nafter index_backed items pass\nafter "
                      "no_seq_scan items pass\n");
  const auto& phases = results["queries"][0]["phases"];
  EXPECT_EQ(phases[0]["samples_ms"].size(), 30U);
  EXPECT_EQ(phases[0]["warmup_executions"], 6);
  EXPECT_EQ(results["migration"]["version"], 2);
  const auto& traced = results["migration"]["lock_trace"]["statements"];
  ASSERT_EQ(traced.size(), 1U);
  EXPECT_EQ(traced[0]["statement"], "CREATE INDEX items_k ON items (k)");
  EXPECT_EQ(traced[0]["locks"][0]["relation"], "items");
  EXPECT_EQ(traced[0]["locks"][0]["mode"], "SHARE");
  EXPECT_EQ(traced[0]["locks"][0]["blocks"], "writes");
  auto gbench = read_json(dir + "/out/results.gbench.json");
  EXPECT_EQ(gbench["benchmarks"][0]["name"], "lookup/before");
  EXPECT_EQ(db.scalar("SELECT max(version) FROM _sqlx_migrations"), "2");
}

// make_project's suite with its migrations in golang-migrate's layout: pairs whose titles
// differ, and an empty down script (a no-op there).
std::string make_golang_migrate_project() {
  auto dir = make_project(k_lookup);
  std::filesystem::remove_all(dir + "/migrations");
  write_file(dir + "/migrations/1_items.up.sql",
             "CREATE TABLE items (id bigint PRIMARY KEY, k int NOT NULL, v text);\n");
  write_file(dir + "/migrations/1_drop_items.down.sql", "DROP TABLE items;\n");
  write_file(dir + "/migrations/2_items_k.up.sql", "CREATE INDEX items_k ON items (k);\n");
  write_file(dir + "/migrations/2_items_k.down.sql", "");
  return dir;
}

// A suite's migrations folder is read in its own layout.
TEST(BenchCli, SuiteMigrationsInAnotherToolsLayoutAreDetectedAndMeasured) {
  TestDatabase db;
  auto dir = make_golang_migrate_project();
  auto r = run_preflight(
      {"bench", "run", "suite.toml", "--database-url", db.conninfo(), "--out", "out/results.json"},
      dir, {"CI=true"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err; // the before phase has no index, as above
  EXPECT_NE(
      r.err.find(
          "preflight: error: 1 expectation failed: \"lookup\" (before) plan index_backed items"),
      std::string::npos)
      << r.err;
  auto results = read_json(dir + "/out/results.json");
  EXPECT_EQ(results["migration"]["version"], 2);
  EXPECT_EQ(db.scalar("SELECT to_regclass('items_k') IS NOT NULL"), "t");
}

// A database another tool's layout migrated keeps its history in that tool's table: the suite
// continues from the version recorded there instead of applying the migrations again.
TEST(BenchCli, ADatabaseAtBeforeInAnotherToolsHistoryIsMigratedOnceFromThere) {
  TestDatabase db;
  auto dir = make_golang_migrate_project();
  auto up = run_preflight({"migrate", "up", "--to", "1", "--database-url", db.conninfo(),
                           "--source", dir + "/migrations"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  ASSERT_EQ(db.scalar("SELECT version FROM schema_migrations"), "1");
  auto r = run_preflight({"bench", "run", "suite.toml", "--database-url", db.conninfo(), "--out",
                          "out/results.json", "--allow-dataset"},
                         dir, {"CI=true"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err; // the before phase has no index, as above
  EXPECT_NE(
      r.err.find(
          "preflight: error: 1 expectation failed: \"lookup\" (before) plan index_backed items"),
      std::string::npos)
      << r.err;
  EXPECT_EQ(read_json(dir + "/out/results.json")["migration"]["version"], 2);
  EXPECT_EQ(db.scalar("SELECT version || ' ' || dirty FROM schema_migrations"), "2 false");
  EXPECT_EQ(db.scalar("SELECT to_regclass('_sqlx_migrations') IS NULL"), "t");
}

TEST(BenchCli, WritesQueryIsRefusedOnAForeignDatabaseThenLeavesTheDataUnchanged) {
  TestDatabase db;
  auto dir = make_project(R"(
[[queries]]
name = "purge"
sql = "DELETE FROM items WHERE k = $1"
params = [{ int = [0, 4999] }]
writes = true
)");
  auto refused = run_preflight({"bench", "run", "suite.toml", "--database-url", db.conninfo()}, dir,
                               {"CI=true"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(
      refused.err.find(
          "preflight: error: refusing to run writes queries (\"purge\") on a database preflight "
          "did not create"),
      std::string::npos)
      << refused.err;
  EXPECT_EQ(db.scalar("SELECT to_regclass('items') IS NULL"), "t"); // nothing ran

  // --gbench-out alone implies --format gbench rather than being ignored.
  auto r = run_preflight({"bench", "run", "suite.toml", "--database-url", db.conninfo(),
                          "--allow-writes", "--gbench-out", "g.json"},
                         dir, {"CI=true"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_json(dir + "/g.json")["benchmarks"][0]["name"], "purge/before");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM items"), "20000");
  EXPECT_EQ(db.scalar("SELECT count(DISTINCT k) FROM items"), "5000");
}

// A database already past `before` is refused without announcing a migration first.
TEST(BenchCli, DatabasePastBeforeIsRefusedWithoutAnnouncingAMigration) {
  TestDatabase db;
  auto dir = make_project(k_lookup);
  ASSERT_EQ(run_preflight(
                {"migrate", "up", "--database-url", db.conninfo(), "--source", dir + "/migrations"})
                .exit_code,
            0);
  auto r = run_preflight(
      {"bench", "run", "suite.toml", "--database-url", db.conninfo(), "--allow-dataset"}, dir,
      {"CI=true"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("preflight: error: the database already has migration 2 applied, past "
                       "version 1"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("migrate: to version"), std::string::npos) << r.err;
}

TEST(BenchCli, DatasetIsRefusedWhenTheDatabaseHasTables) {
  TestDatabase db;
  db.scalar("CREATE TABLE precious (id int)");
  auto dir = make_project(k_lookup);
  auto r = run_preflight({"bench", "run", "suite.toml", "--database-url", db.conninfo()}, dir,
                         {"CI=true"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("preflight: error: refusing to load the suite's dataset into " + db.name() +
                       ": it already has 1 table"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("hint: point --database-url at an empty database, use --ephemeral, or pass "
                       "--allow-dataset"),
            std::string::npos);
}

TEST(BenchCli, BadSuiteIsExitTwoAndRunsNothing) {
  TestDatabase db;
  auto dir = make_project(k_lookup);
  write_file(dir + "/bad.toml", suite_with_dataset_file("nope.sql"));
  auto r = run_preflight({"bench", "run", "bad.toml", "--database-url", db.conninfo()}, dir,
                         {"CI=true"});
  expect_refused_before_anything_ran(r, "bad.toml:5:8: `dataset.file`: file not found: nope.sql",
                                     db);
}

// The results file is checked before anything runs: a run whose results cannot be written
// would be lost.
TEST(BenchCli, ResultsFileThatCannotBeWrittenIsExitTwoAndRunsNothing) {
  TestDatabase db;
  auto dir = make_project(k_lookup);
  std::filesystem::create_directories(dir + "/reports/taken");
  auto r = run_preflight(
      {"bench", "run", "suite.toml", "--database-url", db.conninfo(), "--out", "reports/taken"},
      dir, {"CI=true"});
  expect_refused_before_anything_ran(r, "reports/taken: cannot write file: Is a directory", db);
}

// A typo in the dataset file is found by the parser before anything runs, located in that file,
// not by the server after the migrations.
TEST(BenchCli, DatasetFileThatDoesNotParseIsExitTwoAndRunsNothing) {
  TestDatabase db;
  auto dir = make_project(k_lookup);
  write_file(dir + "/data.sql", "INSERT INTO t VALUES (1);\n\nCREATE TABLE x (\n  a int,,\n);\n");
  write_file(dir + "/bad.toml", suite_with_dataset_file("data.sql"));
  auto r = run_preflight({"bench", "run", "bad.toml", "--database-url", db.conninfo()}, dir,
                         {"CI=true"});
  expect_refused_before_anything_ran(
      r, "data.sql:4:9: the dataset: SQL does not parse: syntax error at or near \",\"", db);
}

// SQL that writes without `writes = true` would run and commit on the user's database even
// without --allow-writes: it is refused at validation, before the database is touched.
TEST(BenchCli, UnmarkedWriteIsExitTwoAndRunsNothing) {
  TestDatabase db;
  auto dir = make_project(R"(
[[queries]]
name = "rename"
sql = "UPDATE items SET v = 'PWNED' WHERE id = $1"
params = [{ int = [1, 19] }]
)");
  auto r = run_preflight({"bench", "run", "suite.toml", "--database-url", db.conninfo()}, dir,
                         {"CI=true"});
  expect_refused_before_anything_ran(
      r, "suite.toml:17:7: query \"rename\": `queries.sql` is not read-only: UPDATE writes", db);
  EXPECT_NE(r.err.find("hint: add `writes = true` to the query"), std::string::npos) << r.err;
}

// Parameters travel as text: a NULL drawn from a sample would become '' (an invalid integer,
// or a different match), so it stops the run naming the query.
TEST(BenchCli, SampleThatReturnsNullStopsTheRunNamingTheQuery) {
  TestDatabase db;
  auto dir = make_project(R"(
[[queries]]
name = "nullable"
sql = "SELECT id FROM items WHERE k = $1::int"
params = [{ sample = "SELECT 5 UNION ALL SELECT NULL::int ORDER BY 1" }]
)");
  auto r = run_preflight({"bench", "run", "suite.toml", "--database-url", db.conninfo()}, dir,
                         {"CI=true"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("query \"nullable\": sample query returned NULL (row 2)\nhint: parameters "
                       "cannot be NULL; leave NULLs out of the sample (… WHERE x IS NOT NULL)\n"),
            std::string::npos)
      << r.err;
}

// Versions and the migrations folder are checked before anything starts, at their keys.
TEST(BenchCli, MigrationsThatAreNotThereAreExitTwoAtTheirKeys) {
  TestDatabase db;
  auto dir = make_project(k_lookup);
  write_file(dir + "/versions.toml",
             "migrations = \"migrations\"\nbefore = 0\nafter = 9\n" + k_lookup);
  auto r = run_preflight({"bench", "run", "versions.toml", "--database-url", db.conninfo()}, dir,
                         {"CI=true"});
  expect_refused_before_anything_ran(
      r, "versions.toml:2:1: `before`: migration 0 is not in migrations", db);
  EXPECT_NE(r.err.find("versions.toml:3:1: `after`: migration 9 is not in migrations"),
            std::string::npos)
      << r.err;

  write_file(dir + "/folder.toml", "migrations = \"nowhere\"\nbefore = 1\nafter = 2\n" + k_lookup);
  auto folder = run_preflight({"bench", "run", "folder.toml", "--database-url", db.conninfo()}, dir,
                              {"CI=true"});
  expect_refused_before_anything_ran(folder,
                                     "folder.toml:1:1: `migrations`: folder not found: nowhere\n"
                                     "hint: `migrations` is relative to the suite file\n",
                                     db);

  // In a Flyway folder with dotted versions, versions are given as Flyway writes them.
  write_file(dir + "/flyway/V1__a.sql", "CREATE TABLE a (id int);\n");
  write_file(dir + "/flyway/V1.1__b.sql", "CREATE TABLE b (id int);\n");
  write_file(dir + "/dotted.toml",
             "migrations = \"flyway\"\nbefore = \"1.1\"\nafter = \"1.5\"\n" + k_lookup);
  auto dotted = run_preflight({"bench", "run", "dotted.toml", "--database-url", db.conninfo()}, dir,
                              {"CI=true"});
  expect_refused_before_anything_ran(
      dotted, "dotted.toml:3:1: `after`: migration 1.5 is not in flyway", db);
  write_file(dir + "/backwards.toml",
             "migrations = \"flyway\"\nbefore = \"1.1\"\nafter = \"1\"\n" + k_lookup);
  auto backwards = run_preflight(
      {"bench", "run", "backwards.toml", "--database-url", db.conninfo()}, dir, {"CI=true"});
  expect_refused_before_anything_ran(
      backwards, "backwards.toml:3:1: `after` must be a later version than `before`", db);
}

// An output that is an input, or the other output, would lose it: refused before anything
// runs, whatever the spelling of the path.
TEST(BenchCli, OutputThatIsAnInputOrTheOtherOutputIsExitTwoAndRunsNothing) {
  TestDatabase db;
  auto dir = make_project(k_lookup);
  const std::string suite = read_text(dir + "/suite.toml");
  auto over_suite = run_preflight(
      {"bench", "run", "suite.toml", "--database-url", db.conninfo(), "--out", "./suite.toml"}, dir,
      {"CI=true"});
  expect_refused_before_anything_ran(
      over_suite, "--out ./suite.toml is the suite file: it would be overwritten", db);
  EXPECT_EQ(read_text(dir + "/suite.toml"), suite);

  auto same =
      run_preflight({"bench", "run", "suite.toml", "--database-url", db.conninfo(), "--out",
                     "same.json", "--format", "gbench", "--gbench-out", "migrations/../same.json"},
                    dir, {"CI=true"});
  expect_refused_before_anything_ran(
      same, "--out and --gbench-out name the same file (same.json): one would overwrite the other",
      db);
}

// A failed verdict whose kind is its name ("improvement") is named once, and a limit below a
// thousandth of a millisecond keeps its digits.
TEST(BenchCli, FailedExpectationsReadAsOneNameAndShowTheirLimit) {
  preflight::bench::Results results;
  results.queries.emplace_back().name = "lookup";
  results.verdicts.push_back(
      {"lookup", "", "improvement", "improvement", false, ">= 2.00x", "1.10x (1.05-1.15)"});
  const auto error = preflight::cli::failed_expectations(results);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->message(), "1 expectation failed: \"lookup\" improvement");
  const auto lines = preflight::cli::results_table(results);
  EXPECT_EQ(lines.back(), "  lookup: improvement: expected >= 2.00x; measured 1.10x (1.05-1.15)");
}

// Multiplies the samples (and their summary) of every query's `phase` in a results document.
nlohmann::json scaled(nlohmann::json results, const std::string& phase, double factor) {
  for (auto& query : results["queries"]) {
    for (auto& p : query["phases"]) {
      if (p["phase"] != phase) continue;
      for (auto& x : p["samples_ms"]) x = x.get<double>() * factor;
      for (const char* key :
           {"min_ms", "max_ms", "mean_ms", "stddev_ms", "p50_ms", "p95_ms", "p99_ms"}) {
        p["summary"][key] = p["summary"][key].get<double>() * factor;
      }
    }
  }
  return results;
}

const std::string k_confirm_lookup = R"(
[[queries]]
name = "lookup"
sql = "SELECT id, v FROM items WHERE k = $1"
params = [{ int = [0, 4999] }]
iterations = 200
)";

// --confirm times both suites side by side: a query rewritten so that it can no longer use the
// index (k + 0) is a real regression, about 20x on 20,000 rows, and is confirmed.
TEST(BenchCli, ConfirmKeepsARealRegressionMeasuredSideBySide) {
  auto dir = make_project(k_confirm_lookup);
  std::string slow = read_text(dir + "/suite.toml");
  slow.replace(slow.find("k = $1"), 6, "k + 0 = $1");
  write_file(dir + "/slow.toml", slow);
  ASSERT_EQ(run_preflight(
                {"bench", "run", dir + "/suite.toml", "--ephemeral", "--out", dir + "/base.json"})
                .exit_code,
            0);
  ASSERT_EQ(run_preflight(
                {"bench", "run", dir + "/slow.toml", "--ephemeral", "--out", dir + "/slow.json"})
                .exit_code,
            0);

  // 300 % minimum effect: far beyond what the other core's load (ctest -j2) does to a pair.
  auto r = run_preflight({"bench", "compare", dir + "/base.json", dir + "/slow.json", "--confirm",
                          "3", "--min-effect", "300%", "--allow-plan-change", "--ephemeral"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("regression (held in 3 of 3 side-by-side re-runs, median change +"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.err.find("--confirm: setting up the baseline suite (" + dir +
                       "/suite.toml) in database "
                       "preflight_confirm_"),
            std::string::npos)
      << r.err;
}

// A current file that is slow only on paper (its samples multiplied by 50): side by side, the
// two suites (the same file) measure alike, so the regression is not confirmed.
TEST(BenchCli, ConfirmDropsARegressionThatTheSideBySideReRunsDoNotShow) {
  // A sequential scan in both phases (about 2 ms): on an idle VM a sub-millisecond query's
  // round trip depends on which CPU each backend wakes on, by up to 5x between two connections.
  std::string query = k_confirm_lookup;
  query.replace(query.find("k = $1"), 6, "k + 0 = $1");
  auto dir = make_project(query);
  auto run = run_preflight(
      {"bench", "run", dir + "/suite.toml", "--ephemeral", "--out", dir + "/current.json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  write_file(dir + "/slow_current.json",
             scaled(read_json(dir + "/current.json"), "after", 50.0).dump());
  auto noise = run_preflight({"bench", "compare", dir + "/current.json", dir + "/slow_current.json",
                              "--confirm", "3", "--min-effect", "300%", "--ephemeral"});
  EXPECT_EQ(noise.exit_code, 0) << noise.out << noise.err;
  EXPECT_NE(noise.out.find("(not confirmed: held in 0 of 3 side-by-side re-runs, median change"),
            std::string::npos)
      << noise.out;

  // --confirm-all re-measures the rows without a regression too; same suite, so none is found.
  auto all =
      run_preflight({"bench", "compare", dir + "/current.json", dir + "/current.json", "--confirm",
                     "1", "--confirm-all", "--min-effect", "300%", "--ephemeral"});
  EXPECT_EQ(all.exit_code, 0) << all.out << all.err;
  EXPECT_NE(all.out.find(
                "no change (checked: a regression in 0 of 1 side-by-side re-runs, median change"),
            std::string::npos)
      << all.out;
  auto alone = run_preflight(
      {"bench", "compare", dir + "/current.json", dir + "/current.json", "--confirm-all"});
  EXPECT_EQ(alone.exit_code, 2);
  EXPECT_EQ(alone.err,
            "preflight: error: --confirm-all needs --confirm N (how many side-by-side re-runs)\n");
}

// The baseline's suite must be there to be re-measured; --baseline-suite names it when the
// results point elsewhere. Nothing is compared or created before that is settled.
TEST(BenchCli, ConfirmNeedsTheBaselineSuiteAndTakesItFromTheFlag) {
  auto dir = make_project(k_confirm_lookup);
  ASSERT_EQ(run_preflight(
                {"bench", "run", dir + "/suite.toml", "--ephemeral", "--out", dir + "/base.json"})
                .exit_code,
            0);
  auto moved = read_json(dir + "/base.json");
  moved["suite"]["file"] = dir + "/elsewhere/suite.toml";
  write_file(dir + "/moved.json", moved.dump());
  auto r = run_preflight({"bench", "compare", dir + "/moved.json", dir + "/base.json", "--confirm",
                          "1", "--ephemeral"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_EQ(r.err, "preflight: error: " + dir +
                       "/elsewhere/suite.toml: --confirm: suite file not found\n"
                       "hint: --confirm re-measures the baseline suite; pass --baseline-suite FILE "
                       "when it is somewhere "
                       "else (e.g. in a checkout of the base branch)\n");
  EXPECT_EQ(r.out, "");

  auto given =
      run_preflight({"bench", "compare", dir + "/moved.json", dir + "/base.json", "--confirm", "1",
                     "--baseline-suite", dir + "/suite.toml", "--ephemeral"});
  EXPECT_EQ(given.exit_code, 0) << given.out << given.err;
}

// --side-by-side: the after phase lives in a scratch database with the same data, and each
// query alternates between the two; the database given stays at `before`.
TEST(BenchCli, SideBySideTimesBothPhasesInTwoDatabasesAndDropsTheSecond) {
  TestDatabase db;
  auto dir = make_project(R"(
[[queries]]
name = "lookup"
sql = "SELECT id, v FROM items WHERE k = $1"
params = [{ int = [0, 4999] }]
improvement = 3

[queries.after]
index_backed = "items"
no_seq_scan = ["items"]
)");
  auto r = run_preflight({"bench", "run", "suite.toml", "--database-url", db.conninfo(),
                          "--side-by-side", "--out", dir + "/results.json"},
                         dir, {"CI=true"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto results = read_json(dir + "/results.json");
  EXPECT_EQ(results["side_by_side"], true);
  // The throwaway cluster is on this machine, over a unix socket, and ours to move.
  EXPECT_EQ(results["side_by_side_one_cpu"], true) << results["side_by_side_one_cpu_note"];
  const auto& phases = results["queries"][0]["phases"];
  ASSERT_EQ(phases.size(), 2U);
  EXPECT_EQ(phases[0]["phase"], "before");
  EXPECT_EQ(phases[0]["samples_ms"].size(), 30U);
  EXPECT_NE(phases[0]["explain"].dump().find("\"Seq Scan\""), std::string::npos);
  EXPECT_EQ(phases[1]["phase"], "after");
  EXPECT_EQ(phases[1]["samples_ms"].size(), 30U);
  EXPECT_NE(phases[1]["explain"].dump().find("\"items_k\""), std::string::npos);
  EXPECT_NE(r.err.find("[before|after 1/1] lookup: 30 samples a phase, p50 "), std::string::npos)
      << r.err;
  EXPECT_EQ(results["migration"]["version"], 2);
  EXPECT_FALSE(results["migration"]["lock_trace"].empty());

  EXPECT_EQ(db.scalar("SELECT max(version) FROM _sqlx_migrations"), "1");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM items"), "20000");
  const std::string marker = "side by side: the after phase runs in database ";
  const auto at = r.err.find(marker);
  ASSERT_NE(at, std::string::npos) << r.err;
  const auto line = r.err.substr(at + marker.size(), r.err.find('\n', at) - at - marker.size());
  const auto name = line.substr(0, line.find(','));
  EXPECT_EQ(name.rfind("preflight_after_", 0), 0U) << name;
  // Nobody else was connected to the loaded database: it was copied, not loaded again.
  EXPECT_EQ(line.substr(name.size()), ", a copy of the loaded database") << line;
  EXPECT_EQ(r.err.find("dataset: loaded in"), r.err.rfind("dataset: loaded in")) << r.err;
  EXPECT_EQ(db.scalar("SELECT count(*) FROM pg_database WHERE datname = '" + name + "'"), "0");
}

// A database with another session on it cannot be copied: the dataset is loaded a second time,
// and the run is the same otherwise.
TEST(BenchCli, SideBySideLoadsTheDatasetAgainWhenTheDatabaseCannotBeCopied) {
  TestDatabase db;
  auto dir = make_project(R"(
[[queries]]
name = "lookup"
sql = "SELECT id, v FROM items WHERE k = $1"
params = [{ int = [0, 4999] }]
)");
  auto other_session = db.connect();
  auto r = run_preflight({"bench", "run", "suite.toml", "--database-url", db.conninfo(),
                          "--side-by-side", "--out", dir + "/results.json"},
                         dir, {"CI=true"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("(the loaded database could not be copied: source database \"" + db.name() +
                       "\" is being accessed by other users; loading it again)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("dataset: loaded in"), r.err.rfind("dataset: loaded in")) << r.err;
  auto results = read_json(dir + "/results.json");
  EXPECT_EQ(results["side_by_side"], true);
  EXPECT_NE(results["queries"][0]["phases"][1]["explain"].dump().find("\"items_k\""),
            std::string::npos);
  EXPECT_EQ(other_session->exec("SELECT max(version) FROM _sqlx_migrations").get(0, 0), "1");
}

// The after database (a copy, or loaded again) keeps the `ALTER DATABASE … SET` defaults of the
// database given, or the two phases would be planned under different settings.
TEST(BenchCli, SideBySideAfterDatabaseKeepsTheDatabasesSettings) {
  for (const bool copied : {true, false}) {
    TestDatabase db;
    auto admin = db.connect();
    admin->exec("ALTER DATABASE " + admin->quote_name(db.name()) +
                " SET plan_cache_mode = force_custom_plan");
    admin->exec("ALTER DATABASE " + admin->quote_name(db.name()) +
                " SET search_path = \"$user\", public");
    admin.reset();
    auto dir = make_project(R"(
[[queries]]
name = "lookup"
sql = "SELECT id, v FROM items WHERE k = $1"
params = [{ int = [0, 4999] }]
)");
    auto other_session = copied ? nullptr : db.connect(); // prevents the copy
    auto r = run_preflight({"bench", "run", "suite.toml", "--database-url", db.conninfo(),
                            "--side-by-side", "--out", dir + "/results.json"},
                           dir, {"CI=true"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(r.err.find("could not be copied") == std::string::npos, copied) << r.err;
    auto results = read_json(dir + "/results.json");
    for (const auto& phase : results["queries"][0]["phases"]) {
      EXPECT_EQ(phase["plan_kind"], "custom") << phase["phase"] << " copied " << copied;
      // A custom plan has the parameter's value in it; a generic one has $1.
      EXPECT_EQ(phase["explain"].dump().find("$1"), std::string::npos) << phase["phase"];
    }
  }
}

// The kernel's current CPU wake-up latency target in µs, or -1 when this process may not read it.
std::int32_t cpu_latency_target_us() {
  const int fd = ::open("/dev/cpu_dma_latency", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  std::int32_t value = -1;
  if (::read(fd, &value, sizeof value) != static_cast<ssize_t>(sizeof value)) value = -1;
  ::close(fd);
  return value;
}

TEST(CpuWakeupRequest, HoldsZeroMicrosecondsWhereTheDeviceIsWritableAndSaysWhyNotElsewhere) {
  const bool writable = ::access("/dev/cpu_dma_latency", W_OK) == 0;
  auto request = preflight::bench::CpuWakeupRequest::hold();
  EXPECT_EQ(request.held(), writable) << request.note();
  if (writable) {
    EXPECT_EQ(request.note(), "");
    EXPECT_EQ(cpu_latency_target_us(), 0);
  } else {
    EXPECT_NE(request.note().find("/dev/cpu_dma_latency: "), std::string::npos) << request.note();
  }
  auto moved = std::move(request);
  EXPECT_EQ(moved.held(), writable);
  EXPECT_FALSE(preflight::bench::CpuWakeupRequest::allow_sleep().held());
}

TEST(BenchCli, ResultsRecordWhetherTheCpuWakeupLatencyWasHeld) {
  TestDatabase db;
  auto dir = make_project(k_lookup);
  const bool writable = ::access("/dev/cpu_dma_latency", W_OK) == 0;
  auto held = run_preflight(
      {"bench", "run", "suite.toml", "--database-url", db.conninfo(), "--out", "held.json"}, dir,
      {"CI=true"});
  ASSERT_EQ(held.exit_code, 1) << held.out << held.err; // k_lookup's before expectation fails
  auto environment = read_json(dir + "/held.json")["environment"];
  EXPECT_EQ(environment["cpu_wakeup_held"], writable) << environment.dump();
  EXPECT_NE(held.out.find(writable ? "CPU wake-up latency held at 0 µs" : "CPUs could sleep"),
            std::string::npos)
      << held.out;
  if (!writable) {
    EXPECT_NE(held.err.find("CPU wake-up latency not held"), std::string::npos) << held.err;
  }

  TestDatabase other;
  auto asleep = run_preflight({"bench", "run", "suite.toml", "--database-url", other.conninfo(),
                               "--allow-cpu-sleep", "--out", "asleep.json"},
                              dir, {"CI=true"});
  ASSERT_EQ(asleep.exit_code, 1) << asleep.out << asleep.err;
  environment = read_json(dir + "/asleep.json")["environment"];
  EXPECT_EQ(environment["cpu_wakeup_held"], false);
  EXPECT_EQ(environment["cpu_wakeup_note"], "not requested (--allow-cpu-sleep)");
  EXPECT_EQ(asleep.err.find("CPU wake-up latency not held"), std::string::npos) << asleep.err;
}

// The branch CI (root) does not take by itself: a user who may not hold the request is told why
// once, and the run goes on with the CPUs allowed to sleep.
TEST(BenchCli, AUserWhoMayNotHoldTheCpuWakeupRequestIsToldWhyAndTheRunGoesOn) {
  if (::geteuid() != 0) {
    GTEST_SKIP() << "not root: ResultsRecordWhetherTheCpuWakeupLatencyWasHeld covers this user";
  }
  TestDatabase db;
  auto dir = make_project(k_lookup);
  std::filesystem::permissions(dir, std::filesystem::perms::all);
  auto r = run_preflight_as(
      "preflight",
      {"bench", "run", "suite.toml", "--database-url", db.conninfo(), "--out", "unprivileged.json"},
      dir, {"CI=true"});
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err; // k_lookup's before expectation fails
  EXPECT_NE(r.err.find("CPU wake-up latency not held (/dev/cpu_dma_latency: Permission denied "
                       "(only root may hold it)): idle CPUs may sleep, which adds their wake-up "
                       "time to every round trip"),
            std::string::npos)
      << r.err;
  auto environment = read_json(dir + "/unprivileged.json")["environment"];
  EXPECT_EQ(environment["cpu_wakeup_held"], false);
  EXPECT_EQ(environment["cpu_wakeup_note"],
            "/dev/cpu_dma_latency: Permission denied (only root may hold it)");
  EXPECT_NE(r.out.find("CPUs could sleep"), std::string::npos) << r.out;
}

} // namespace
