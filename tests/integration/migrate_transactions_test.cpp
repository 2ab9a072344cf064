// Transaction control inside migrations: refused before anything runs (a dry run must not
// commit, a migration must not commit apart from its history row), and the run-time safety net
// for a -- no-transaction migration that leaves a block open.

#include <gtest/gtest.h>

#include "core/migrate/checksum.h"
#include "io/migrate/migrator.h"
#include "support/test_cluster.h"

using namespace preflight::testing;
using namespace preflight;

namespace {

std::vector<std::string> on(const TestDatabase& db, const std::string& dir,
                            std::vector<std::string> args) {
  args.insert(args.end(), {"--database-url", db.conninfo(), "--source", dir});
  return args;
}

std::string history(const TestDatabase& db) {
  return db.scalar("SELECT coalesce(string_agg(version || ':' || success, ',' ORDER BY version), "
                   "'') FROM _sqlx_migrations");
}

TEST(MigrateTransactionControl, CommitInADryRunIsRefusedBeforeAnythingRuns) {
  TestDatabase db;
  auto dir = make_temp_dir();
  write_file(dir + "/0001_t.sql",
             "CREATE TABLE t (id serial PRIMARY KEY, v int);\nINSERT INTO t (v) VALUES (1);\n");
  ASSERT_EQ(run_preflight(on(db, dir, {"migrate", "up"})).exit_code, 0);
  write_file(dir + "/0002_ins.sql", "INSERT INTO t (v) VALUES (2);\n");
  write_file(dir + "/0003_commit.sql", "COMMIT;\nCREATE TABLE leaked (x int);\n");

  for (auto args : {std::vector<std::string>{"migrate", "up", "--dry-run"},
                    std::vector<std::string>{"migrate", "up"}}) {
    auto r = run_preflight(on(db, dir, args));
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(r.err, "preflight: error: " + dir +
                         "/0003_commit.sql:1:1: COMMIT inside a migration that preflight already "
                         "runs in a transaction: the migration and its history row are no longer "
                         "committed together, and a dry run would commit\n"
                         "hint: remove the COMMIT; a file that must manage its own transactions "
                         "starts with -- no-transaction\n");
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(db.scalar("SELECT string_agg(v::text, ',' ORDER BY id) FROM t"), "1");
    EXPECT_EQ(db.scalar("SELECT to_regclass('leaked') IS NULL"), "t");
    EXPECT_EQ(history(db), "1:true");
  }
}

TEST(MigrateTransactionControl, UnclosedBeginInANoTransactionMigrationIsRefused) {
  TestDatabase db;
  auto dir = make_temp_dir();
  write_file(dir + "/0001_nt.sql", "-- no-transaction\nBEGIN;\nCREATE TABLE nt (x int);\n");
  write_file(dir + "/0002_rb.sql", "CREATE TABLE r (x int);\nROLLBACK;\n");
  auto r = run_preflight(on(db, dir, {"migrate", "up"}));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(dir + "/0001_nt.sql:2:1: BEGIN without a matching COMMIT in a "
                             "-- no-transaction migration"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(dir + "/0002_rb.sql:2:1: ROLLBACK inside a migration that preflight "
                             "already runs in a transaction"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(db.scalar("SELECT to_regclass('_sqlx_migrations') IS NULL"), "t");
}

// lint reports what discovery refuses, as findings with their rule ids.
TEST(MigrateTransactionControl, LintReportsInsteadOfRefusing) {
  auto dir = make_temp_dir();
  write_file(dir + "/0001_rb.sql", "CREATE TABLE r (x int);\nROLLBACK;\n");
  auto r = run_preflight({"lint", dir});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("0001_rb.sql:2:1: error[nested-transaction]: ROLLBACK inside"),
            std::string::npos)
      << r.out << r.err;
}

// Discovery refuses a BEGIN left open; a migration set built without discovery shows that the
// migrator still ends such a block instead of letting it swallow the history row.
TEST(MigrateTransactionControl, BlockLeftOpenAtRunTimeIsRolledBackAndTheStepFails) {
  TestDatabase db;
  migrate::Migration open_block;
  open_block.version = 1;
  open_block.description = "nt";
  open_block.up = {"0001_nt.sql", "-- no-transaction\nBEGIN;\nCREATE TABLE nt (x int);\n", true};
  open_block.checksum = migrate::sha384(open_block.up.sql);
  migrate::Migration next;
  next.version = 2;
  next.description = "after";
  next.up = {"0002_after.sql", "CREATE TABLE after_it (x int);\n", false};
  next.checksum = migrate::sha384(next.up.sql);
  migrate::MigrationSet set({open_block, next});

  auto session = db.connect();
  migrate::Migrator migrator(*session, {});
  auto report = migrator.up(set, {});
  ASSERT_NE(report.failure(), nullptr);
  EXPECT_EQ(report.steps.size(), 1U);
  EXPECT_EQ(report.failure()->error->message(),
            "migration 1 (nt) left a transaction open (BEGIN without COMMIT): preflight rolled "
            "back what ran after that BEGIN");
  EXPECT_FALSE(session->in_transaction());
  EXPECT_EQ(db.scalar("SELECT to_regclass('nt') IS NULL"), "t");
  EXPECT_EQ(history(db), "1:false");
}

} // namespace
