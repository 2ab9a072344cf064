// NUL bytes and invalid UTF-8 in SQL and in TOML strings: refused at file:line:column, never
// silently cut.

#include <gtest/gtest.h>

#include "core/config/config.h"
#include "core/error.h"
#include "core/migrate/migration_set.h"
#include "core/sql/sql_bytes.h"
#include "support/refusal.h"

using namespace preflight;
using namespace std::string_literals;
using preflight::testing::refusal;

namespace {

std::string headline(const std::optional<Error>& error) {
  return error ? error->headline() : "(accepted)";
}

} // namespace

TEST(SqlBytes, NulIsRefusedAtItsLineAndColumn) {
  EXPECT_EQ(headline(sql::check_sql_bytes("CREATE TABLE a (id int);\nSELECT 1;\0 DROP TABLE b;"s,
                                          "m/0001_a.sql")),
            "m/0001_a.sql:2:10: NUL byte in SQL: PostgreSQL would never see what follows it");
  EXPECT_EQ(headline(sql::check_sql_bytes("\0SELECT 1;"s, "f.sql")),
            "f.sql:1:1: NUL byte in SQL: PostgreSQL would never see what follows it");
  EXPECT_EQ(headline(sql::check_sql_bytes("SELECT 'é';", "f.sql")), "(accepted)");
}

TEST(SqlBytes, InvalidUtf8IsRefusedAtItsLineAndColumnCountingCharacters) {
  EXPECT_EQ(headline(sql::check_sql_bytes("SELECT 1;\nSELECT '日本', '\xE9';", "f.sql")),
            "f.sql:2:15: file is not valid UTF-8 (byte 0xE9)");
  EXPECT_EQ(headline(sql::check_sql_bytes("SELECT '\xC0\xAF';", "f.sql")),
            "f.sql:1:9: file is not valid UTF-8 (byte 0xC0)"); // overlong
  EXPECT_EQ(headline(sql::check_sql_bytes("SELECT '\xED\xA0\x80';", "f.sql")),
            "f.sql:1:9: file is not valid UTF-8 (byte 0xED)"); // surrogate
  EXPECT_EQ(headline(sql::check_sql_bytes("SELECT 1; -- \xE2\x82", "f.sql")),
            "f.sql:1:14: file is not valid UTF-8 (byte 0xE2)"); // cut at the end
  // The first problem is reported, whichever it is.
  EXPECT_EQ(headline(sql::check_sql_bytes("\xFF\0"s, "f.sql")),
            "f.sql:1:1: file is not valid UTF-8 (byte 0xFF)");
}

TEST(MigrationDiscovery, NulAndInvalidUtf8AreLocatedInEveryKindOfFile) {
  std::vector<migrate::SourceFile> files{
      {"m/0001_tx.sql", "0001_tx.sql", "CREATE TABLE a (id int);\nSELECT 1;\0 DROP TABLE c;"s, {}},
      {"m/0002_nt.sql", "0002_nt.sql", "-- no-transaction\nSELECT 1;\0 DROP TABLE c;"s, {}},
      {"m/0003_bom.sql", "0003_bom.sql", "\xEF\xBB\xBFSELECT '\xE9';", {}},
  };
  const std::vector<std::string> expected{
      "m/0001_tx.sql:2:10: NUL byte in SQL: PostgreSQL would never see what follows it",
      "m/0002_nt.sql:2:10: NUL byte in SQL: PostgreSQL would never see what follows it",
      "m/0003_bom.sql:1:9: file is not valid UTF-8 (byte 0xE9)",
  };
  EXPECT_EQ(refusal([&] { migrate::discover_migrations(files); }), expected);
  // status and verify skip parsing, not this.
  EXPECT_EQ(refusal([&] { migrate::discover_migrations(files, {false}); }), expected);
}

TEST(ConfigFile, NulInAnyStringOrKeyIsRefusedAtItsLine) {
  EXPECT_EQ(refusal([] { config::parse_config("history_table = \"x\\u0000y\"\n", "p.toml"); }),
            (std::vector<std::string>{
                "p.toml:1:17: `history_table` contains a NUL character (\\u0000)"}));
  EXPECT_EQ(refusal([] { config::parse_config("migrations = \"m\"\0\n"s, "p.toml"); }),
            (std::vector<std::string>{"p.toml:1:17: NUL byte in a TOML file"}));
  EXPECT_EQ(
      refusal([] { config::parse_config("[lint.rules]\n\"a\\u0000\" = \"off\"\n", "p.toml"); }),
      (std::vector<std::string>{
          "p.toml:2:1: `lint.rules.a\\u0000` contains a NUL character (\\u0000)"}));
}
