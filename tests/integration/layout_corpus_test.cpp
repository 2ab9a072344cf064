// Each tool's corpus (tests/cases/layout_corpus/<tool>/migrations) applied by preflight with its
// layout detected, compared with psql running the same SQL in the tool's order and transaction
// mode (reference.psql), then fully reverted with `down --to 0`.

#include <gtest/gtest.h>

#include <cstdio>

#include <fmt/format.h>

#include "support/case_files.h"
#include "support/test_cluster.h"

using namespace preflight::testing;

namespace {

std::string capture(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return out;
  char buffer[4096];
  while (auto n = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  pclose(pipe);
  return out;
}

// The schema without the history table (each tool's own: the history is native by default);
// pg_dump 15.14+ brackets its output with \restrict / \unrestrict and a random key per run.
std::string schema_dump(const TestDatabase& db) {
  auto dump = capture(fmt::format(
      "{}/pg_dump --schema-only --no-owner --exclude-table=_sqlx_migrations "
      "--exclude-table=schema_migrations --exclude-table=goose_db_version "
      "--exclude-table=flyway_schema_history --exclude-table=__diesel_schema_migrations -d '{}'",
      postgres_bin_dir(), db.conninfo()));
  std::string kept;
  std::size_t start = 0;
  while (start < dump.size()) {
    auto end = dump.find('\n', start);
    if (end == std::string::npos) end = dump.size() - 1;
    auto line = dump.substr(start, end - start + 1);
    if (line.rfind("\\restrict ", 0) != 0 && line.rfind("\\unrestrict ", 0) != 0) kept += line;
    start = end + 1;
  }
  return kept;
}

const std::vector<std::string> k_environment{"GOOSE_TEST_SCHEMA=app"};

class LayoutCorpus : public ::testing::TestWithParam<std::string> {};

TEST_P(LayoutCorpus, AppliesAsThePeerToolThenRevertsEverything) {
  const auto dir = case_path("layout_corpus", GetParam());
  const std::string migrations = (dir / "migrations").string();
  TestDatabase applied;
  TestDatabase reference;
  TestDatabase empty;
  auto args = [&](std::vector<std::string> a) {
    a.insert(a.end(), {"--database-url", applied.conninfo(), "--source", migrations});
    return a;
  };

  auto up = run_preflight(args({"migrate", "up"}), {}, k_environment);
  ASSERT_EQ(up.exit_code, 0) << up.out << up.err;

  const auto psql = capture(
      fmt::format("{}/psql -X -q -v ON_ERROR_STOP=1 -d '{}' -f '{}' 2>&1; echo exit=$?",
                  postgres_bin_dir(), reference.conninfo(), (dir / "reference.psql").string()));
  ASSERT_NE(psql.find("exit=0"), std::string::npos) << psql;
  const auto dump = schema_dump(applied);
  EXPECT_NE(dump.find("CREATE TABLE public.accounts"), std::string::npos) << dump;
  EXPECT_EQ(dump, schema_dump(reference));

  auto status = run_preflight(args({"migrate", "status", "--exit-code"}), {}, k_environment);
  EXPECT_EQ(status.exit_code, 0) << status.out << status.err;
  auto verify = run_preflight(args({"migrate", "verify"}), {}, k_environment);
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  auto again = run_preflight(args({"migrate", "up"}), {}, k_environment);
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("Nothing to apply"), std::string::npos) << again.out;

  auto down = run_preflight(args({"migrate", "down", "--to", "0"}), {}, k_environment);
  ASSERT_EQ(down.exit_code, 0) << down.out << down.err;
  EXPECT_EQ(schema_dump(applied), schema_dump(empty));
  // Nothing is applied any more (the rows themselves: native_history_test.cpp).
  auto after = run_preflight(args({"migrate", "status", "--format", "json"}), {}, k_environment);
  EXPECT_EQ(after.out.find("\"state\":\"applied\""), std::string::npos) << after.out;

  auto lint = run_preflight({"lint", migrations}, {}, k_environment);
  EXPECT_LE(lint.exit_code, 1) << lint.err; // findings are fine; unreadable input is not
  EXPECT_EQ(lint.err.find("error:"), std::string::npos) << lint.err;
}

INSTANTIATE_TEST_SUITE_P(Tools, LayoutCorpus, ::testing::ValuesIn(case_names("layout_corpus")),
                         CaseName());

// A dry run never commits: a migration that commits itself stops it before anything runs.
TEST(LayoutDryRun, FileWithItsOwnCommitStopsTheDryRunBeforeAnythingRuns) {
  TestDatabase db;
  const std::string migrations =
      (case_path("layout_corpus", "golang-migrate") / "migrations").string();
  // auto takes a throwaway copy for it (docs/dry-run.md): the migrations run there, not here.
  auto on_copy = run_preflight(
      {"migrate", "up", "--dry-run", "--database-url", db.conninfo(), "--source", migrations});
  EXPECT_EQ(on_copy.exit_code, 0) << on_copy.out << on_copy.err;
  EXPECT_NE(on_copy.out.find("Dry run mode: copy"), std::string::npos) << on_copy.out;
  EXPECT_EQ(db.scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), "0");
  // In one rolled-back transaction it cannot be tried: refused before anything runs.
  auto r = run_preflight({"migrate", "up", "--dry-run=transaction", "--database-url", db.conninfo(),
                          "--source", migrations});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_EQ(r.err,
            fmt::format("preflight: error: {}/3_audit_in_own_transaction.up.sql:1:1: a dry run "
                        "cannot roll this migration back: its BEGIN controls the transaction "
                        "itself\nhint: nothing was run; dry-running this migration needs a "
                        "throwaway copy of the database (--dry-run=copy), or dry-run up to the "
                        "version before it with --to\n",
                        migrations));
  EXPECT_EQ(db.scalar("SELECT to_regclass('accounts') IS NULL"), "t");
  auto partial = run_preflight({"migrate", "up", "--dry-run", "--to", "2", "--database-url",
                                db.conninfo(), "--source", migrations});
  EXPECT_EQ(partial.exit_code, 0) << partial.err;
  EXPECT_EQ(db.scalar("SELECT to_regclass('accounts') IS NULL"), "t");
}

// A down script that does not parse blocks neither up nor lint: only down, which would run it.
TEST(LayoutDownProblem, BlocksOnlyTheDownThatRunsIt) {
  TestDatabase db;
  auto dir = make_temp_dir();
  write_file(dir + "/1_a.up.sql", "CREATE TABLE a (id int);\n");
  write_file(dir + "/1_drop_a.down.sql", "DROP TABLE a a;\n");
  auto on = [&](std::vector<std::string> a) {
    a.insert(a.end(), {"--database-url", db.conninfo(), "--source", dir});
    return a;
  };
  auto up = run_preflight(on({"migrate", "up"}));
  EXPECT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(db.scalar("SELECT to_regclass('a') IS NOT NULL"), "t");
  auto lint = run_preflight({"lint", dir});
  EXPECT_EQ(lint.exit_code, 0) << lint.err;
  EXPECT_EQ(lint.err, fmt::format("preflight: warning: {}/1_drop_a.down.sql:1:14: SQL does not "
                                  "parse: syntax error at or near \"a\" (this down script cannot "
                                  "run; the rest is linted)\n",
                                  dir));
  auto down = run_preflight(on({"migrate", "down"}));
  EXPECT_EQ(down.exit_code, 2) << down.err;
  EXPECT_EQ(down.err.rfind(fmt::format("preflight: error: {}/1_drop_a.down.sql:1:14: SQL does not "
                                       "parse: syntax error at or near \"a\"",
                                       dir),
                           0),
            0U)
      << down.err;
  EXPECT_EQ(db.scalar("SELECT to_regclass('a') IS NOT NULL"), "t");
}

// Detection that cannot decide is bad input naming the deciding files; --layout decides.
TEST(LayoutDetectionCli, TwoLayoutsAreExitTwoAndLayoutOptionDecides) {
  TestDatabase db;
  auto dir = make_temp_dir();
  write_file(dir + "/00001_a.sql", "-- +goose Up\nCREATE TABLE a (id int);\n");
  write_file(dir + "/20240101000000_b.sql",
             "-- migrate:up\nCREATE TABLE b (id int);\n-- migrate:down\nDROP TABLE b;\n");
  auto r = run_preflight({"lint", dir});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, fmt::format("preflight: error: the migrations folder matches more than one "
                               "layout: {0}/00001_a.sql (goose), {0}/20240101000000_b.sql "
                               "(dbmate)\nhint: set layout = \"…\" in preflight.toml or pass "
                               "--layout (sqlx, golang-migrate, goose, dbmate, flyway, diesel)\n",
                               dir));
  // Read as goose, the dbmate file is what goose itself refuses.
  auto goose = run_preflight(
      {"--layout", "goose", "migrate", "up", "--database-url", db.conninfo(), "--source", dir});
  EXPECT_EQ(goose.exit_code, 2) << goose.err;
  EXPECT_EQ(goose.err.rfind(fmt::format("preflight: error: {}/20240101000000_b.sql:2:1: SQL "
                                        "before the '-- +goose Up' annotation",
                                        dir),
                            0),
            0U)
      << goose.err;
  EXPECT_EQ(db.scalar("SELECT to_regclass('a') IS NULL"), "t");
  auto bad = run_preflight({"--layout", "liquibase", "lint", dir});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err, "preflight: error: --layout liquibase: unknown layout\nhint: known layouts: "
                     "sqlx, golang-migrate, goose, dbmate, flyway, diesel\n");
}

} // namespace
