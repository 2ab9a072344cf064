// `preflight check` end to end: the real binary against a real PostgreSQL, read-only.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "io/cluster/throwaway_cluster.h"
#include "io/pg/pg_session.h"
#include "support/case_files.h"
#include "support/test_cluster.h"

using namespace preflight;
using namespace preflight::testing;

namespace {

const std::string k_bundled_checks =
    std::string(PREFLIGHT_SOURCE_DIR) + "/benchmarks/checks/focus_sessions.checks.toml";

std::vector<std::string> check_args(const std::string& conninfo, std::vector<std::string> args) {
  std::vector<std::string> all{"check"};
  all.insert(all.end(), args.begin(), args.end());
  all.insert(all.end(), {"--database-url", conninfo, "--source", bundled_migrations()});
  return all;
}

// Realistic rows (the planner seq-scans tiny tables) and application traffic on the new index.
void load_and_query(const TestDatabase& db) {
  auto s = db.connect();
  s->exec("INSERT INTO users (email, display_name) SELECT 'u' || g || '@x', 'U' || g FROM "
          "generate_series(1, 2000) g");
  s->exec("INSERT INTO focus_sessions (user_id, mode, status, duration_seconds, started_at) "
          "SELECT (SELECT min(id) FROM users) + (g * 7919) % 2000, 'pomodoro', "
          "CASE WHEN g % 50 = 0 THEN 'active' ELSE 'completed' END, 1500, now() - g * interval '1 "
          "minute' "
          "FROM generate_series(1, 100000) g");
  s->exec("ANALYZE");
  s->exec("SELECT id FROM focus_sessions WHERE user_id = 7 AND status = 'active' ORDER BY "
          "started_at DESC LIMIT 1");
  s->exec("SELECT pg_stat_force_next_flush()");
  s->exec("SELECT 1");
}

std::string write_checks(const std::string& text) {
  auto path = make_temp_dir() + "/checks.toml";
  write_file(path, text);
  return path;
}

TEST(CheckCli, BundledChecksAndFromMigrationPassAfter0003AndFailAfterRevertingIt) {
  TestDatabase db;
  ASSERT_EQ(run_preflight({"migrate", "up", "--database-url", db.conninfo(), "--source",
                           bundled_migrations()})
                .exit_code,
            0);
  load_and_query(db);

  auto pass = run_preflight(check_args(db.conninfo(), {k_bundled_checks, "--from-migration", "3"}));
  EXPECT_EQ(pass.exit_code, 0) << pass.out << pass.err;
  EXPECT_NE(pass.out.find(
                "PASS  Get Active Session is index-backed: Limit > Index Scan using "
                "idx_focus_sessions_user_active on focus_sessions (expected an index scan reads "
                "focus_sessions; no Seq Scan on focus_sessions)\n"),
            std::string::npos)
      << pass.out;
  EXPECT_NE(pass.out.find("PASS  active-session index is used: idx_scan = 1 (expected idx_scan > 0 "
                          "since statistics "
                          "began (never reset))\n"),
            std::string::npos)
      << pass.out;
  EXPECT_NE(pass.out.find("10 checks: 10 passed, 0 failed, 0 skipped"), std::string::npos)
      << pass.out;

  ASSERT_EQ(run_preflight({"migrate", "down", "--database-url", db.conninfo(), "--source",
                           bundled_migrations()})
                .exit_code,
            0);
  auto fail = run_preflight(check_args(db.conninfo(), {"--from-migration", "3"}));
  EXPECT_EQ(fail.exit_code, 1) << fail.err;
  EXPECT_EQ(fail.out.substr(0, fail.out.rfind("against")),
            "FAIL  migration 3 applied: at version 2; 3 pending; 0 history problems (expected 3 "
            "applied, no failed "
            "rows, checksums match)\n"
            "      migration 3 is not applied\n"
            "FAIL  migration 3: constraint focus_library_tracks_library_id_fk: foreign key on "
            "focus_library_tracks "
            "(library_id) references focus_libraries on delete no action (expected constraint "
            "focus_library_tracks_library_id_fk on focus_library_tracks (library_id) references "
            "focus_libraries on "
            "delete cascade)\n"
            "      ON DELETE is NO ACTION, expected CASCADE\n"
            "FAIL  migration 3: index idx_focus_sessions_user_active: missing (expected index "
            "idx_focus_sessions_user_active on focus_sessions (user_id, status, started_at DESC))\n"
            "      index idx_focus_sessions_user_active does not exist\n"
            "3 checks: 0 passed, 3 failed, 0 skipped ");
}

TEST(CheckCli, ReadOnlyGuardRefusesAnUpdateBeforeAnythingRuns) {
  TestDatabase db;
  db.scalar("CREATE TABLE t (a int); INSERT INTO t VALUES (1)");
  auto file = write_checks("[[check]]\nname = \"fine\"\nkind = \"sql\"\nquery = \"SELECT count(*) "
                           "FROM t\"\nexpect = \"== 1\"\n\n"
                           "[[check]]\nname = \"sneaky\"\nkind = \"sql\"\nquery = \"UPDATE t SET a "
                           "= 2 RETURNING a\"\nexpect = \"== 2\"\n");
  auto r = run_preflight(check_args(db.conninfo(), {file}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "preflight: error: " + file +
                       ":10:9: check \"sneaky\" refused: UPDATE writes\n"
                       "hint: checks are read-only by design; nothing was run\n");
  EXPECT_EQ(db.scalar("SELECT a FROM t"), "1");
}

TEST(CheckCli, EveryKindCanFail) {
  TestDatabase db;
  ASSERT_EQ(run_preflight({"migrate", "up", "--database-url", db.conninfo(), "--source",
                           bundled_migrations()})
                .exit_code,
            0);
  // Few rows: the planner reads focus_sessions sequentially, and nothing has used the index.
  auto file = write_checks(R"([[check]]
name = "errors"
kind = "sql"
query = "SELECT count(*) FROM focus_modes"
expect = "< 4"

[[check]]
name = "used"
kind = "index_used"
index = "idx_focus_sessions_user_active"

[[check]]
name = "plan"
kind = "plan"
query = "SELECT * FROM focus_modes WHERE label = $1"
params = ["Pomodoro"]
no_seq_scan = "focus_modes"

[[check]]
name = "column"
kind = "schema"
table = "focus_sessions"
column = "status"
type = "integer"
nullable = true

[[check]]
name = "newest"
kind = "migration"
version = 2

[[check]]
name = "latency"
kind = "statements"
query = "SELECT 1"
max_mean_ms = 1

[[check]]
name = "latency if available"
kind = "statements"
query = "SELECT 1"
max_mean_ms = 1
optional = true

[[check]]
name = "slow"
kind = "sql"
query = "SELECT pg_sleep(2)::text"
expect = "== x"
)");
  auto r = run_preflight(check_args(db.conninfo(), {file, "--statement-timeout", "200ms"}));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(
      r.out.substr(0, r.out.rfind("against")),
      "FAIL  errors: 4 (expected < 4)\n"
      "FAIL  used: idx_scan = 0 (expected idx_scan > 0 since statistics began (never reset))\n"
      "      the index has not been scanned since statistics began (never reset); pass --window "
      "30s to watch "
      "live traffic\n"
      "FAIL  plan: Seq Scan on focus_modes (expected no Seq Scan on focus_modes)\n"
      "      no_seq_scan focus_modes: Seq Scan on: focus_modes\n"
      "FAIL  column: column text NOT NULL (expected column focus_sessions.status integer NULL)\n"
      "      type is text, expected integer\n"
      "      it is NOT NULL, expected nullable\n"
      "FAIL  newest: at version 3; 2 applied; 0 history problems (expected 2 applied and newest, "
      "no failed rows, "
      "checksums match)\n"
      "      the newest applied migration is 3, not 2\n"
      "FAIL  latency: pg_stat_statements not installed (expected mean < 1.00 ms over >= 1 call)\n"
      "      pg_stat_statements is not installed in this database (it needs "
      "shared_preload_libraries = "
      "'pg_stat_statements' and CREATE EXTENSION pg_stat_statements); mark the check `optional = "
      "true` to skip "
      "it instead\n"
      "SKIP  latency if available: pg_stat_statements not installed (expected mean < 1.00 ms over "
      ">= 1 call)\n"
      "      pg_stat_statements is not installed in this database (it needs "
      "shared_preload_libraries = "
      "'pg_stat_statements' and CREATE EXTENSION pg_stat_statements)\n"
      "FAIL  slow: error (expected == x)\n"
      "      ERROR 57014: canceling statement due to statement timeout\n"
      "8 checks: 0 passed, 7 failed, 1 skipped ");
}

// In a Flyway folder with dotted versions, `version` and `to` are given as Flyway writes them.
TEST(CheckCli, MigrationAndDriftChecksTakeFlywaysVersionText) {
  TestDatabase db;
  const std::string migrations =
      (case_path("layout_corpus", "flyway-dotted") / "migrations").string();
  ASSERT_EQ(run_preflight({"migrate", "up", "--to", "1.10", "--database-url", db.conninfo(),
                           "--source", migrations})
                .exit_code,
            0);
  auto file = write_checks(R"([[check]]
name = "at 1.10"
kind = "migration"
version = "1.10"

[[check]]
name = "at 2"
kind = "migration"
version = "2"

[[check]]
name = "schema of 1.10"
kind = "drift"
to = "1.10"
)");
  auto r = run_preflight({"check", file, "--database-url", db.conninfo(), "--source", migrations});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("at version 1.10; 1.10 applied; 0 history problems"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("migration 2 is not applied"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("the newest applied migration is 1.10, not 2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("no drift"), std::string::npos) << r.out;
}

TEST(CheckCli, WindowSamplesIdxScanTwice) {
  TestDatabase db;
  ASSERT_EQ(run_preflight({"migrate", "up", "--database-url", db.conninfo(), "--source",
                           bundled_migrations()})
                .exit_code,
            0);
  auto file = write_checks("[[check]]\nname = \"used\"\nkind = \"index_used\"\nindex = "
                           "\"idx_focus_sessions_user_active\"\n");
  auto r = run_preflight(check_args(db.conninfo(), {file, "--window", "300ms"}));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("FAIL  used: idx_scan 0 → 0 (+0) in 0.3s (expected idx_scan grows within a "
                       "0.3s window)\n"),
            std::string::npos)
      << r.out;
}

TEST(CheckCli, StatementsMatchAParameterisedQueryByFingerprint) {
  cluster::ClusterOptions options;
  options.settings = {"shared_preload_libraries=pg_stat_statements"};
  auto server = cluster::ThrowawayCluster::start(options);
  server->create_database("app");
  {
    auto s = pg::PgSession::connect(server->conninfo("app"));
    s->exec("CREATE EXTENSION pg_stat_statements");
    s->exec("CREATE TABLE focus_sessions (id bigint, user_id bigint, status text, started_at "
            "timestamptz)");
    for (int user = 1; user <= 3; ++user) {
      s->exec_params("SELECT id FROM focus_sessions WHERE user_id = $1 AND status = 'active' "
                     "ORDER BY started_at DESC LIMIT 1",
                     {std::to_string(user)});
    }
  }
  // Written differently (case, constants, layout) from what the application sent: the fingerprint
  // matches.
  auto file = write_checks(R"([[check]]
name = "active session latency"
kind = "statements"
query = """
select id from focus_sessions
 where user_id = $1 and status = $2
 order by started_at desc limit $3"""
max_mean_ms = 1000
min_calls = 3

[[check]]
name = "never run"
kind = "statements"
query = "SELECT count(*) FROM focus_sessions WHERE status = $1"
max_mean_ms = 1000
)");
  auto r =
      run_preflight({"check", file, "--database-url", server->conninfo("app"), "--format", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto json = nlohmann::json::parse(r.out);
  ASSERT_EQ(json["checks"].size(), 2U) << r.out;
  const auto& found = json["checks"][0];
  EXPECT_EQ(found["status"], "passed") << found.dump(2);
  EXPECT_EQ(found["data"]["calls"], 3);
  EXPECT_EQ(found["measured"].get<std::string>().rfind("mean ", 0), 0U);
  EXPECT_EQ(found["measured"].get<std::string>().substr(
                found["measured"].get<std::string>().find(" over ")),
            " over 3 calls");
  const auto& missing = json["checks"][1];
  EXPECT_EQ(missing["status"], "failed");
  EXPECT_EQ(missing["measured"], "no matching statement");
}

TEST(CheckCli, UnreachableDatabaseIsExitFour) {
  auto file = write_checks("[[check]]\nname = \"t\"\nkind = \"schema\"\ntable = \"users\"\n");
  auto r = run_preflight(
      {"check", file, "--database-url", "postgresql://u:pw@127.0.0.1:1/x?connect_timeout=2"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("preflight: error: cannot connect to the database"), std::string::npos)
      << r.err;
}

TEST(CheckCli, BadFileIsExitTwoWithFileLineAndKey) {
  auto file = write_checks("[[check]]\nname = \"t\"\nkind = \"schema\"\ntabel = \"users\"\n");
  auto r = run_preflight(
      {"check", file, "--database-url", "postgresql://u:pw@127.0.0.1:1/x?connect_timeout=2"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.err, "preflight: error: " + file +
                       ":1:1: a `schema` check needs `table`, and optionally one of `column`, "
                       "`index`, `constraint`\n"
                       "preflight: 1 more problem:\n"
                       "  " +
                       file +
                       ":4:1: unknown key `tabel` in a `schema` check\n"
                       "    hint: keys of a `schema` check: name, kind, column, columns, "
                       "constraint, index, nullable, "
                       "on_delete, references, table, type, unique\n");
}

TEST(CheckCli, JunitGithubAndJsonOutputs) {
  TestDatabase db;
  db.scalar("CREATE TABLE t (a int)");
  auto file = write_checks("[[check]]\nname = \"has table\"\nkind = \"schema\"\ntable = \"t\"\n\n"
                           "[[check]]\nname = \"rows, please\"\nkind = \"sql\"\nquery = \"SELECT * "
                           "FROM t\"\nexpect = \"rows >= 1\"\n");

  auto junit = run_preflight({"check", file, "--database-url", db.conninfo(), "--format", "junit"});
  EXPECT_EQ(junit.exit_code, 1);
  EXPECT_NE(
      junit.out.find(
          R"(<testsuite name="preflight check" tests="2" failures="1" errors="0" skipped="0")"),
      std::string::npos)
      << junit.out;
  EXPECT_NE(junit.out.find("<failure message=\"measured 0 rows, expected rows &gt;= 1\" "
                           "type=\"sql\">measured: 0 rows\n"
                           "expected: rows &gt;= 1</failure>"),
            std::string::npos)
      << junit.out;

  auto summary = make_temp_dir() + "/summary.md";
  auto github =
      run_preflight({"check", file, "--database-url", db.conninfo(), "--format", "github"}, {},
                    {"GITHUB_STEP_SUMMARY=" + summary});
  EXPECT_EQ(github.exit_code, 1);
  EXPECT_EQ(github.out.substr(0, github.out.find('\n') + 1),
            "::error file=" + file +
                ",line=6,title=preflight check%3A rows%2C please::measured: 0 rows%0Aexpected: "
                "rows >= 1\n");
  EXPECT_NE(read_text(summary).find("| ❌ | rows, please | sql | 0 rows | rows &gt;= 1 |"),
            std::string::npos)
      << read_text(summary);

  auto json = run_preflight({"check", file, "--database-url", db.conninfo(), "--format", "json"});
  EXPECT_EQ(json.exit_code, 1);
  auto doc = nlohmann::json::parse(json.out);
  EXPECT_EQ(doc["schema"], "preflight.check");
  EXPECT_EQ(doc["summary"],
            nlohmann::json({{"total", 2}, {"passed", 1}, {"failed", 1}, {"skipped", 0}}));
  EXPECT_EQ(doc["checks"][0]["source"], nlohmann::json({{"file", file}, {"line", 1}}));
}

} // namespace
