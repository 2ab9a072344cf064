#include <gtest/gtest.h>

#include "core/error.h"
#include "core/migrate/checksum.h"
#include "core/migrate/lock_key.h"

using namespace preflight::migrate;

TEST(Checksum, Sha384MatchesFipsVectors) {
  EXPECT_EQ(to_hex(sha384("abc")), "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5be"
                                   "d8086072ba1e7cc2358baeca134c825a7");
  EXPECT_EQ(to_hex(sha384("")), "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da27"
                                "4edebfe76f65fbd51ad2f14898b95b");
}

TEST(Checksum, ExactBytesCountNoNormalisation) {
  EXPECT_NE(sha384("SELECT 1;\n"), sha384("SELECT 1;\r\n"));
  EXPECT_NE(sha384("SELECT 1;"), sha384("\xEF\xBB\xBFSELECT 1;"));
  EXPECT_EQ(sha384("x").size(), 48U);
}

TEST(Checksum, HexRoundTrip) {
  auto digest = sha384("abc");
  EXPECT_EQ(from_hex(to_hex(digest)), digest);
  EXPECT_EQ(from_hex("ABcd"), (Checksum{0xab, 0xcd}));
  EXPECT_THROW(from_hex("abc"), preflight::Error);
  EXPECT_THROW(from_hex("zz"), preflight::Error);
}

TEST(LockKey, Crc32MatchesZlibCheckValue) {
  EXPECT_EQ(crc32("123456789"), 0xCBF43926U);
}

TEST(LockKey, MatchesSqlxKeyForDatabaseNames) {
  // Values computed independently with Python's zlib.crc32(name) * 0x3d32ad9e.
  EXPECT_EQ(migration_lock_key("postgres"), 368907709894077238LL);
  EXPECT_EQ(migration_lock_key("preflight"), 1425722070966953390LL);
  EXPECT_EQ(migration_lock_key("123456789"), 3513249314174792564LL);
}
