// The dry run's lock estimate and the choice between a rolled-back transaction and a copy.

#include <gtest/gtest.h>

#include "core/migrate/dry_run_plan.h"

using namespace preflight::migrate;

namespace {

Migration migration(std::int64_t version, const std::string& up, const std::string& down = {},
                    bool no_transaction = false) {
  Migration m;
  m.version = version;
  m.up = Script{"m.up.sql", up, no_transaction};
  if (!down.empty()) m.down = Script{"m.down.sql", down, false};
  return m;
}

} // namespace

TEST(DryRunPlan, ModesParseAndPrint) {
  EXPECT_EQ(parse_dry_run_mode("transaction"), DryRunMode::transaction);
  EXPECT_EQ(parse_dry_run_mode("copy"), DryRunMode::copy);
  EXPECT_EQ(parse_dry_run_mode("auto"), DryRunMode::automatic);
  EXPECT_FALSE(parse_dry_run_mode("Auto"));
  EXPECT_FALSE(parse_dry_run_mode(""));
  EXPECT_EQ(to_string(DryRunMode::automatic), "auto");
}

TEST(DryRunPlan, CountsNamedAndImplicitRelations) {
  // users (1) + its TOAST (2) + serial sequence (1) + primary key index (1) + unique index (1);
  // orders (1) + TOAST (2) + FK to users (named already); index (1); ALTER's rewrite heap (3).
  auto a = migration(1, "CREATE TABLE users (id serial PRIMARY KEY, email text UNIQUE);\n"
                        "CREATE TABLE orders (id bigint, user_id int REFERENCES users);\n"
                        "CREATE INDEX orders_user ON orders (user_id);\n"
                        "ALTER TABLE orders ALTER COLUMN id TYPE numeric;\n");
  auto estimate = estimate_locks({&a}, false);
  EXPECT_EQ(estimate.named, (std::set<std::string>{"\"orders\"", "\"users\""}));
  EXPECT_EQ(estimate.unnamed, 2 + 1 + 1 + 1 + 2 + 1 + 3);
  EXPECT_EQ(estimate.total(5), 2 + 11 + 5 + LockEstimate::k_fixed);
  EXPECT_TRUE(estimate.no_transaction.empty());
}

TEST(DryRunPlan, DownScriptsCountDroppedRelationsByName) {
  auto a = migration(1, "CREATE TABLE a (id int);", "DROP TABLE a, s.b;\nDROP INDEX a_idx;");
  auto estimate = estimate_locks({&a}, true);
  EXPECT_EQ(estimate.named, (std::set<std::string>{"\"a\"", "\"s\".\"b\"", "\"a_idx\""}));
  EXPECT_EQ(estimate.unnamed, 1); // the index's table, which DROP INDEX locks too
}

TEST(DryRunPlan, AutoChoosesACopyWhenTheLocksMayNotFit) {
  LockEstimate estimate;
  LockSpace space{64, 20, 0, 30};
  EXPECT_EQ(space.capacity(), 1280);
  EXPECT_EQ(space.available(), 1250);
  auto fits = choose_dry_run_mode(DryRunMode::automatic, estimate, 1250, space);
  EXPECT_EQ(fits.mode, DryRunMode::transaction);
  EXPECT_EQ(fits.reason, "the plan needs about 1,250 locks in one transaction; the server's lock "
                         "table has room for about 1,250 = 64 × (20 + 0) minus 30 held by other "
                         "sessions: it fits");
  auto too_many = choose_dry_run_mode(DryRunMode::automatic, estimate, 1251, space);
  EXPECT_EQ(too_many.mode, DryRunMode::copy);
  EXPECT_EQ(too_many.reason, "the plan needs about 1,251 locks in one transaction; the server's "
                             "lock table has room for about 1,250 = 64 × (20 + 0) minus 30 held "
                             "by other sessions: it may not fit");
  // Asked for, a mode is used whatever the estimate says.
  EXPECT_EQ(choose_dry_run_mode(DryRunMode::transaction, estimate, 99999, space).mode,
            DryRunMode::transaction);
  EXPECT_EQ(choose_dry_run_mode(DryRunMode::copy, estimate, 1, space).mode, DryRunMode::copy);
}

TEST(DryRunPlan, AutoChoosesACopyForANoTransactionMigration) {
  auto a = migration(7, "-- no-transaction\nCREATE INDEX CONCURRENTLY i ON t (x);", {}, true);
  auto estimate = estimate_locks({&a}, false);
  EXPECT_EQ(estimate.no_transaction, (std::vector<std::int64_t>{7}));
  auto choice = choose_dry_run_mode(DryRunMode::automatic, estimate, 10, LockSpace{});
  EXPECT_EQ(choice.mode, DryRunMode::copy);
  EXPECT_EQ(choice.reason.rfind("migration 7 runs without a transaction (-- no-transaction), "
                                "which a rolled-back transaction cannot try; the plan needs",
                                0),
            0U);
}
