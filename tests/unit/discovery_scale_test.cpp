// Discovery of a large folder checks and hashes the files on several threads: the result, the
// checksums and every error must be exactly what a one-by-one pass gives, in file-name order.

#include <gtest/gtest.h>

#include <thread>

#include <fmt/format.h>

#include "core/error.h"
#include "core/migrate/migration_set.h"
#include "support/refusal.h"

using namespace preflight;
using preflight::testing::all_headlines;

namespace {

// 2,000 simple migrations "NNNNN_t_N.sql", in listing (not name) order, with the given files
// replacing or joining them.
std::vector<migrate::SourceFile> large_folder(const std::vector<migrate::SourceFile>& special) {
  std::vector<migrate::SourceFile> files;
  for (int i = 2000; i >= 1; --i) {
    auto name = fmt::format("{:05}_t_{}.sql", i, i);
    bool replaced = false;
    for (const auto& s : special) replaced = replaced || s.name.substr(0, 5) == name.substr(0, 5);
    if (!replaced)
      files.push_back({"m/" + name, name, fmt::format("CREATE TABLE t_{} (id int);\n", i)});
  }
  files.insert(files.begin() + 700, special.begin(), special.end());
  return files;
}

TEST(DiscoveryScale, EveryMigrationKeepsItsOwnBytesAndChecksum) {
  auto files = large_folder({});
  auto set = migrate::discover_migrations(files, {false});
  ASSERT_EQ(set.all().size(), 2000U);
  for (std::int64_t v = 1; v <= 2000; ++v) {
    const auto* m = set.find(v);
    ASSERT_NE(m, nullptr) << v;
    const auto bytes = fmt::format("CREATE TABLE t_{} (id int);\n", v);
    EXPECT_EQ(m->up.sql, bytes);
    EXPECT_EQ(m->up.path, fmt::format("m/{:05}_t_{}.sql", v, v));
    EXPECT_EQ(m->checksum, migrate::sha384(bytes)) << v;
  }
  // The copying overload leaves the caller's files as they were and finds the same migrations.
  auto again = migrate::discover_migrations(std::vector<migrate::SourceFile>(files), {true});
  ASSERT_EQ(again.all().size(), 2000U);
  EXPECT_EQ(again.all()[1233].checksum, set.all()[1233].checksum);
  EXPECT_EQ(files[0].bytes, "CREATE TABLE t_2000 (id int);\n");
}

TEST(DiscoveryScale, ProblemsInALargeFolderAreAllReportedInFileNameOrder) {
  // Listed out of order and spread over the workers' shares of the folder.
  auto files = large_folder({
      {"m/01999_tail.sql", "01999_tail.sql", "CREATE TABLE tail (id int) WHERE;\n"},
      {"m/00003_latin1.sql", "00003_latin1.sql", "SELECT '\xE9';\n"},
      {"m/01100_orphan.down.sql", "01100_orphan.down.sql", "DROP TABLE orphan;\n"},
      {"m/00512_blank.sql", "00512_blank.sql", "-- nothing to do\n\n"},
  });
  const std::vector<std::string> with_sql{
      "m/00003_latin1.sql:1:9: file is not valid UTF-8 (byte 0xE9)",
      "m/00512_blank.sql: migration is empty (no SQL statement)",
      "m/01100_orphan.down.sql: down migration without its up migration (version 1100)",
      "m/01999_tail.sql:1:28: SQL does not parse: syntax error at or near \"WHERE\"",
  };
  try {
    migrate::discover_migrations(files, {true});
    FAIL() << "the folder was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(all_headlines(e), with_sql);
  }
  // Without the SQL check (status, verify), the same file problems, the syntax error aside.
  try {
    migrate::discover_migrations(std::move(files), {false});
    FAIL() << "the folder was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(all_headlines(e), std::vector<std::string>(with_sql.begin(), with_sql.end() - 1));
  }
}

TEST(DiscoveryScale, Sha384IsTheSameOnEveryThread) {
  // Each thread hashes with its own OpenSSL context.
  const std::string expected = "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed808"
                               "6072ba1e7cc2358baeca134c825a7";
  std::vector<std::string> seen(4);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < seen.size(); ++t) {
    threads.emplace_back([&seen, t] {
      for (int i = 0; i < 200; ++i) {
        auto hex = migrate::to_hex(migrate::sha384(i % 2 ? "abc" : "x"));
        if (i % 2) seen[t] = hex;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& hex : seen) EXPECT_EQ(hex, expected);
}

} // namespace
