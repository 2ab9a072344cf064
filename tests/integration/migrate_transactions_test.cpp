// The run-time safety net for a -- no-transaction migration that leaves a block open. (What
// discovery refuses before anything runs, and lint's findings for it, are data:
// tests/cases/cli/migrate/*transaction*.case, tests/cases/cli/lint/.)

#include <gtest/gtest.h>

#include "core/migrate/checksum.h"
#include "io/migrate/migrator.h"
#include "support/test_cluster.h"

using namespace preflight::testing;
using namespace preflight;

namespace {

std::string history(const TestDatabase& db) {
  return db.scalar("SELECT coalesce(string_agg(version || ':' || success, ',' ORDER BY version), "
                   "'') FROM _sqlx_migrations");
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
