// Input files have size limits (docs/reliability.md): large but legitimate inputs still work,
// larger ones are refused from their size before anything is read or run.

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "support/cli_case.h"
#include "support/test_cluster.h"

using namespace preflight::testing;

TEST(InputLimits, AHundredMegabyteMigrationIsApplied) {
  TestDatabase db;
  const auto dir = make_temp_dir();
  std::filesystem::create_directories(dir + "/migrations");
  {
    std::ofstream out(dir + "/migrations/0001_big.sql", std::ios::binary);
    const std::string line(99, '-');
    for (int i = 0; i < 1'000'000; ++i) out << line << '\n'; // 100 MB of comments
    out << "CREATE TABLE big (id int);\n";
  }
  ASSERT_GT(std::filesystem::file_size(dir + "/migrations/0001_big.sql"), 100'000'000U);
  auto r = run_preflight_bounded({"migrate", "up", "--database-url", db.conninfo()}, dir, {}, 300);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(db.scalar("SELECT to_regclass('big') IS NOT NULL"), "t");
}

TEST(InputLimits, AMigrationOverOneGibibyteIsRefusedFromItsSize) {
  TestDatabase db;
  const auto dir = make_temp_dir();
  std::filesystem::create_directories(dir + "/migrations");
  // Sparse: refused from its size, so the test writes no gigabyte.
  const int fd = open((dir + "/migrations/0001_huge.sql").c_str(), O_WRONLY | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, (1LL << 30) + 1), 0);
  close(fd);
  auto r = run_preflight_bounded({"migrate", "up", "--database-url", db.conninfo()}, dir, {}, 60);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "preflight: error: migrations/0001_huge.sql: migration file larger than 1 GiB "
                   "(not read)\n");
  EXPECT_EQ(db.scalar("SELECT to_regclass('_sqlx_migrations') IS NULL"), "t");
}
