// Concurrency: 16 `preflight migrate up` processes race on one database, several rounds, over a
// corpus with CREATE INDEX CONCURRENTLY migrations (the reason the migration lock is polled with
// pg_try_advisory_lock: a session waiting in pg_advisory_lock would deadlock with them). Each
// migration logs itself into a table, so a double apply is seen even where it would not fail.

#include <gtest/gtest.h>

#include <thread>

#include <fmt/format.h>

#include "support/case_files.h"
#include "support/preflight_process.h"
#include "support/test_cluster.h"

using namespace preflight::testing;

namespace {

constexpr int k_processes = 16;
constexpr int k_rounds = 3;

void write_corpus(const std::string& dir) {
  write_file(dir + "/0001_log.sql",
             "CREATE TABLE apply_log (version int, at timestamptz DEFAULT clock_timestamp());\n"
             "CREATE TABLE items (id int, v int);\n"
             "INSERT INTO items SELECT g, g % 101 FROM generate_series(1, 20000) g;\n"
             "INSERT INTO apply_log (version) VALUES (1);\n");
  write_file(dir + "/0002_items_v.sql", "-- no-transaction\n"
                                        "INSERT INTO apply_log (version) VALUES (2);\n"
                                        "CREATE INDEX CONCURRENTLY items_v_idx ON items (v);\n");
  write_file(dir + "/0003_more.sql", "ALTER TABLE items ADD COLUMN w int;\n"
                                     "SELECT pg_sleep(0.05);\n"
                                     "INSERT INTO apply_log (version) VALUES (3);\n");
  write_file(dir + "/0004_items_w.sql", "-- no-transaction\n"
                                        "CREATE INDEX CONCURRENTLY items_w_idx ON items (w);\n"
                                        "SELECT pg_sleep(0.05);\n"
                                        "CREATE INDEX CONCURRENTLY items_id_idx ON items (id);\n"
                                        "INSERT INTO apply_log (version) VALUES (4);\n");
  write_file(dir + "/0005_tags.sql", "CREATE TABLE tags (id int);\n"
                                     "INSERT INTO apply_log (version) VALUES (5);\n");
}

TEST(Concurrency, SixteenRacingRunsApplyEveryMigrationOnceRoundAfterRound) {
  TestDatabase db;
  auto dir = make_temp_dir();
  write_corpus(dir);
  for (int round = 1; round <= k_rounds; ++round) {
    db.connect()->exec("DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
    std::vector<std::thread> threads;
    std::vector<CommandResult> results(k_processes);
    for (std::size_t i = 0; i < k_processes; ++i) {
      threads.emplace_back([&, i] {
        results[i] = run_preflight(on_database(db, dir, {"migrate", "up", "--lock-wait", "300"}));
      });
    }
    for (auto& t : threads) t.join();
    int applied_lines = 0;
    for (std::size_t i = 0; i < k_processes; ++i) {
      // Every run ends well: the first applies, the others wait for the lock, then find
      // nothing (or the rest) pending.
      EXPECT_EQ(results[i].exit_code, 0) << "round " << round << " process " << i << ":\n"
                                         << results[i].out << results[i].err;
      for (std::size_t at = results[i].out.find("apply "); at != std::string::npos;
           at = results[i].out.find("apply ", at + 1)) {
        ++applied_lines;
      }
    }
    EXPECT_EQ(applied_lines, 5) << "round " << round << ": the runs together applied "
                                << applied_lines << " migrations, not each of the 5 once";
    EXPECT_EQ(history_summary(db), "1:true,2:true,3:true,4:true,5:true") << "round " << round;
    EXPECT_EQ(db.scalar("SELECT string_agg(version::text, ',' ORDER BY at) FROM apply_log"),
              "1,2,3,4,5")
        << "round " << round;
    EXPECT_EQ(db.scalar("SELECT count(*) FROM pg_index WHERE NOT indisvalid"), "0")
        << "round " << round;
    if (::testing::Test::HasFailure()) break;
  }
}

} // namespace
