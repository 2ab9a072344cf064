#include <gtest/gtest.h>

#include "core/config/connection_text.h"

using preflight::config::database_url_from_dotenv;
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
