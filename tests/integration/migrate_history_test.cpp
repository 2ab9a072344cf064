// The history and its files: timestamped new migrations, dry runs that leave schema and history
// as they were, and sqlx compatibility (take-over, the exact table), against a real PostgreSQL.
// More migrate scenarios are data: tests/cases/cli/migrate/*.case.

#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "support/migrate_helpers.h"

using namespace preflight::testing;
namespace fs = std::filesystem;

namespace {

TEST(MigrateNew, TimestampsInAnEmptyFolder) {
  auto dir = make_temp_dir() + "/fresh";
  auto created = run_preflight({"migrate", "new", "init", "--source", dir});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  ASSERT_EQ(created.out.size(), std::string("created " + dir + "/20260101000000_init.sql\n").size())
      << created.out;
  EXPECT_EQ(created.out.rfind("created " + dir + "/20", 0), 0U) << created.out;
}

TEST(MigrateDryRun, LeavesSchemaAndHistoryIdentical) {
  TestDatabase db;
  auto dir = bundled_migrations();
  ASSERT_EQ(run_preflight(on(db, dir, {"migrate", "up", "--to", "1"})).exit_code, 0);
  const auto schema = schema_dump(db);
  const auto history = history_rows(db);
  ASSERT_NE(schema.find("CREATE TABLE public.focus_sessions"), std::string::npos) << schema;

  auto dry = run_preflight(on(db, dir, {"migrate", "up", "--dry-run"}));
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find(
                "apply     3 mid003 batch optimizations               ok (dry run, rolled back)"),
            std::string::npos)
      << dry.out;
  EXPECT_NE(dry.out.find("Dry run: 2 migrations checked; the database was not changed.\n"),
            std::string::npos);
  EXPECT_EQ(schema_dump(db), schema);
  EXPECT_EQ(history_rows(db), history);

  auto down = run_preflight(on(db, dir, {"migrate", "down", "--dry-run"}));
  EXPECT_EQ(down.exit_code, 0) << down.err;
  EXPECT_EQ(schema_dump(db), schema);
  EXPECT_EQ(history_rows(db), history);
}

TEST(MigrateDryRun, CreatesNoHistoryTableOnAFreshDatabase) {
  TestDatabase db;
  const auto schema = schema_dump(db);
  auto dry = run_preflight(on(db, bundled_migrations(), {"migrate", "up", "--dry-run"}));
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_EQ(db.scalar("SELECT to_regclass('_sqlx_migrations') IS NULL"), "t");
  EXPECT_EQ(schema_dump(db), schema);
}

// sqlx 0.8's own DDL (sqlx-postgres/src/migrate.rs, ensure_migrations_table) and the rows it
// writes.
constexpr const char* k_sqlx_ddl = R"(CREATE TABLE IF NOT EXISTS {} (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),
    success BOOLEAN NOT NULL,
    checksum BYTEA NOT NULL,
    execution_time BIGINT NOT NULL
);)";

TEST(MigrateSqlxCompat, TakesOverASqlxDatabaseWithNoChange) {
  TestDatabase db;
  auto dir = make_temp_dir();
  write_file(dir + "/20240101000000_create_a.sql", "CREATE TABLE a (id int);\r\n");
  write_file(dir + "/20240102000000_create_b.up.sql", "CREATE TABLE b (id int);\n");
  write_file(dir + "/20240102000000_create_b.down.sql", "DROP TABLE b;\n");
  write_file(dir + "/20240103000000_create_c.sql", "CREATE TABLE c (id int);\n");
  auto session = db.connect();
  session->exec(fmt::format(k_sqlx_ddl, "_sqlx_migrations"));
  session->exec("CREATE TABLE a (id int); CREATE TABLE b (id int);");
  session->exec(fmt::format("INSERT INTO _sqlx_migrations (version, description, success, "
                            "checksum, execution_time) VALUES "
                            "(20240101000000, 'create a', true, '\\x{}', 4182301), "
                            "(20240102000000, 'create b', true, '\\x{}', 2210456)",
                            hex_of_file(dir + "/20240101000000_create_a.sql"),
                            hex_of_file(dir + "/20240102000000_create_b.up.sql")));
  const auto before = history_rows(db);

  auto status = run_preflight(on(db, dir, {"migrate", "status", "--format", "json"}));
  ASSERT_EQ(status.exit_code, 0) << status.err;
  auto json = nlohmann::json::parse(status.out);
  ASSERT_EQ(json["migrations"].size(), 3U);
  EXPECT_EQ(json["migrations"][0]["state"], "applied");
  EXPECT_EQ(json["migrations"][0]["execution_time_ns"], 4182301);
  EXPECT_EQ(json["migrations"][1]["state"], "applied");
  EXPECT_EQ(json["migrations"][1]["reversible"], true);
  EXPECT_EQ(json["migrations"][2]["state"], "pending");
  EXPECT_EQ(json["migrations"][2]["file"], dir + "/20240103000000_create_c.sql");
  EXPECT_FALSE(json["migrations"][2].contains("installed_on"));

  EXPECT_EQ(run_preflight(on(db, dir, {"migrate", "verify"})).exit_code, 0);
  auto up = run_preflight(on(db, dir, {"migrate", "up"}));
  ASSERT_EQ(up.exit_code, 0) << up.err;
  const auto after = history_rows(db);
  EXPECT_EQ(after.substr(0, before.size()), before); // sqlx's rows untouched
  EXPECT_EQ(db.scalar("SELECT count(*) FROM _sqlx_migrations"), "3");
  EXPECT_EQ(
      db.scalar("SELECT execution_time > 0 FROM _sqlx_migrations WHERE version = 20240103000000"),
      "t");
}

TEST(MigrateSqlxCompat, HistoryTableIsExactlySqlxs) {
  TestDatabase db;
  ASSERT_EQ(run_preflight(on(db, bundled_migrations(), {"migrate", "up"})).exit_code, 0);
  auto session = db.connect();
  session->exec("CREATE SCHEMA sqlx_reference");
  session->exec(fmt::format(k_sqlx_ddl, "sqlx_reference._sqlx_migrations"));
  auto columns = [&](const std::string& schema) {
    return db.scalar(
        fmt::format("SELECT string_agg(format('%s %s %s %s', column_name, data_type, is_nullable, "
                    "coalesce(column_default, '-')), '; ' ORDER BY ordinal_position) FROM "
                    "information_schema.columns "
                    "WHERE table_schema = '{}' AND table_name = '_sqlx_migrations'",
                    schema));
  };
  auto primary_key = [&](const std::string& schema) {
    return db.scalar(fmt::format(
        "SELECT string_agg(a.attname, ',') FROM pg_index i JOIN pg_attribute a ON "
        "a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey) WHERE i.indisprimary AND "
        "i.indrelid = '{}._sqlx_migrations'::regclass",
        schema));
  };
  EXPECT_EQ(
      columns("public"),
      "version bigint NO -; description text NO -; installed_on timestamp with time zone NO now(); "
      "success boolean NO -; checksum bytea NO -; execution_time bigint NO -");
  EXPECT_EQ(columns("public"), columns("sqlx_reference"));
  EXPECT_EQ(primary_key("public"), "version");
  EXPECT_EQ(primary_key("public"), primary_key("sqlx_reference"));
}

// Bad preflight.toml cases: tests/cases/config/<name>.toml with <name>.expected (the whole stderr).
class BadConfigCase : public ::testing::TestWithParam<std::string> {};

TEST_P(BadConfigCase, ExitTwoWithFileLineColumn) {
  const auto dir = case_path("config", "").string();
  auto r = run_preflight(
      {"migrate", "status", "--config", GetParam(), "--database-url", "host=/nonexistent"}, dir);
  EXPECT_EQ(r.exit_code, 2);
  auto stem = GetParam().substr(0, GetParam().size() - 5);
  EXPECT_EQ(r.err, read_text(case_path("config", stem + ".expected")));
}

INSTANTIATE_TEST_SUITE_P(Cases, BadConfigCase, ::testing::ValuesIn(case_names("config", ".toml")),
                         CaseName());

} // namespace
