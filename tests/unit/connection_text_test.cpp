#include <algorithm>

#include <gtest/gtest.h>

#include "core/config/config.h"
#include "core/config/connection_text.h"
#include "core/text/text.h"

using preflight::config::database_url_from_dotenv;
using preflight::config::passwords_in;
using preflight::config::redact_password;

TEST(Dotenv, FindsDatabaseUrlAmongOtherLines) {
  const std::string text = "# local settings\n"
                           "\n"
                           "RUST_LOG=debug\n"
                           "  export DATABASE_URL=\"postgresql://app:pw@localhost/app\"\r\n"
                           "OTHER=1\n";
  EXPECT_EQ(database_url_from_dotenv(text), "postgresql://app:pw@localhost/app");
}

TEST(Dotenv, SingleQuotesUnquotedAndLastOneWins) {
  EXPECT_EQ(database_url_from_dotenv("DATABASE_URL='host=/tmp dbname=a'\n"), "host=/tmp dbname=a");
  EXPECT_EQ(database_url_from_dotenv("DATABASE_URL=postgres:///a\nDATABASE_URL=postgres:///b\n"),
            "postgres:///b");
}

TEST(Dotenv, InlineCommentsAreNotPartOfTheValue) {
  EXPECT_EQ(database_url_from_dotenv("DATABASE_URL=postgres:///a # the local one\n"),
            "postgres:///a");
  EXPECT_EQ(database_url_from_dotenv("DATABASE_URL=\"host=/tmp dbname=a\"  # quoted\n"),
            "host=/tmp dbname=a");
  // A '#' inside a value (e.g. a percent-free password) is not a comment.
  EXPECT_EQ(database_url_from_dotenv("DATABASE_URL=postgres://u:p#w@h/d\n"),
            "postgres://u:p#w@h/d");
}

TEST(Dotenv, CommentedOrSimilarKeysAreNotTheUrl) {
  EXPECT_EQ(
      database_url_from_dotenv("# DATABASE_URL=postgres:///a\nTEST_DATABASE_URL=postgres:///b\n"),
      std::nullopt);
  EXPECT_EQ(database_url_from_dotenv(""), std::nullopt);
}

TEST(RedactPassword, UrlForm) {
  EXPECT_EQ(redact_password("postgresql://alice:s3cr3t@db.example:5432/app?sslmode=require"),
            "postgresql://alice:***@db.example:5432/app?sslmode=require");
  EXPECT_EQ(redact_password("postgres://bob:p%40ss@h/db"), "postgres://bob:***@h/db");
  EXPECT_EQ(redact_password("postgresql://alice@db/app"), "postgresql://alice@db/app");
}

TEST(RedactPassword, QueryParameterForm) {
  EXPECT_EQ(redact_password("postgresql://db/app?user=alice&password=s3cr3t&sslmode=require"),
            "postgresql://db/app?user=alice&password=***&sslmode=require");
}

TEST(RedactPassword, KeywordForm) {
  EXPECT_EQ(redact_password("host=db user=alice password=s3cr3t dbname=app"),
            "host=db user=alice password=*** dbname=app");
  EXPECT_EQ(redact_password("host=db password = 'a secret' dbname=app"),
            "host=db password = *** dbname=app");
  EXPECT_EQ(redact_password("host=db PASSWORD='a b\\' c' dbname=app"),
            "host=db PASSWORD=*** dbname=app");
}

TEST(RedactPassword, InsideAnErrorMessage) {
  EXPECT_EQ(redact_password("connection to \"postgresql://u:pw@h/d\" failed"),
            "connection to \"postgresql://u:***@h/d\" failed");
}

TEST(RedactPassword, SchemeInAnyCaseAndEscapedKeywordValues) {
  EXPECT_EQ(redact_password("invalid connection option \"POSTGRESQL://u:Sup3r!@/d?host\""),
            "invalid connection option \"POSTGRESQL://u:***@/d?host\"");
  EXPECT_EQ(redact_password("host=db password=Sup3r\\ S3cret dbname=app"),
            "host=db password=*** dbname=app");
}

TEST(RedactPassword, PasswordsOfTheConnectionStringAnywhereInAMessage) {
  EXPECT_EQ(
      redact_password("invalid percent-encoded token: \"Sup3r%ZZ\"", "postgresql://u:Sup3r%ZZ@h/d"),
      "invalid percent-encoded token: \"***\"");
  EXPECT_EQ(redact_password("password authentication failed for a b", "password='a b'"),
            "password authentication failed for a b"); // too short to mask as a word
  const auto secrets = passwords_in("postgresql://u:p%40ssw0rd@h/d?password=x\\ yz1");
  EXPECT_NE(std::find(secrets.begin(), secrets.end(), "p@ssw0rd"), secrets.end());
  EXPECT_NE(std::find(secrets.begin(), secrets.end(), "x yz1"), secrets.end());
}

TEST(TimeoutSetting, WhatPostgresTakesForLockAndStatementTimeout) {
  using preflight::config::is_timeout_setting;
  for (const char* ok :
       {"5s", "5 s", "1.5s", "0", "500", "500ms", "250us", "2min", "1h", "1d", "24d"})
    EXPECT_TRUE(is_timeout_setting(ok)) << ok;
  // PostgreSQL: units are case-sensitive, the value is at most 2147483647 ms and not negative.
  for (const char* bad :
       {"", "banana", "5 parsecs", "5S", "-1", "25d", "0x10", ".5s", "1.2.3s", "5sec"})
    EXPECT_FALSE(is_timeout_setting(bad)) << bad;
}

TEST(PercentDecoding, DecodesHexPairsAndKeepsAStrayPercent) {
  EXPECT_EQ(preflight::text::percent_decoded("p%40ss%2Fw%3a"), "p@ss/w:");
  EXPECT_EQ(preflight::text::percent_decoded("100%"), "100%");
  EXPECT_EQ(preflight::text::percent_decoded("%ZZ%4"), "%ZZ%4");
  EXPECT_EQ(preflight::text::percent_decoded("my%20db"), "my db");
}
