// Connection handling: a password never appears in any output, whatever libpq makes of the
// connection string.

#include <gtest/gtest.h>

#include <filesystem>

#include "support/migrate_helpers.h"

using namespace preflight::testing;
namespace fs = std::filesystem;

namespace {

TEST(MigrateConnection, PasswordNeverAppearsInOutput) {
  TestDatabase db;
  auto dir = make_temp_dir();
  write_file(dir + "/0001_a.sql", "CREATE TABLE a (id int);\n");
  write_file(dir + "/0002_bad.sql", "SELECT * FROM missing_table;\n");
  // The throwaway cluster trusts local connections, so the password is accepted and ignored.
  const std::string secret = "s3cr3t-pw";
  auto socket = db.conninfo().substr(5, db.conninfo().find(' ') - 5);
  const std::string url =
      fmt::format("postgresql://postgres:{}@/{}?host={}", secret, db.name(), socket);
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"migrate", "status", "--database-url", url, "--source", dir},
           {"migrate", "status", "--format", "json", "--database-url", url, "--source", dir},
           {"migrate", "up", "--database-url", url, "--source", dir},
           {"migrate", "status", "--database-url", url + "&port=1", "--source", dir},
           {"migrate", "status", "--database-url",
            "host=/nonexistent password=" + secret + " dbname=x", "--source", dir},
           // libpq quotes what it cannot parse, with the password inside or alone.
           {"migrate", "status", "--database-url",
            fmt::format("POSTGRESQL://postgres:{}@/{}?host={}", secret, db.name(), socket),
            "--source", dir},
           {"migrate", "status", "--database-url",
            fmt::format("postgresql://postgres:{}%ZZ@/{}?host={}", secret, db.name(), socket),
            "--source", dir},
           {"migrate", "status", "--database-url",
            db.conninfo() + " password=" + secret + "\\ " + secret, "--source", dir}}) {
    auto r = run_preflight(args);
    EXPECT_EQ(r.out.find(secret), std::string::npos) << r.out;
    EXPECT_EQ(r.err.find(secret), std::string::npos) << r.err;
  }
  auto status = run_preflight({"migrate", "status", "--database-url", url, "--source", dir});
  EXPECT_NE(status.out.find(
                fmt::format("against postgresql://postgres:***@/{}?host={}:", db.name(), socket)),
            std::string::npos)
      << status.out;
}

} // namespace
