// Native history: each tool's corpus (tests/cases/layout_corpus/<tool>/migrations) applied by
// preflight into that tool's own table and reverted with `down --to 0`; the rows compared with
// what the tool's source writes (docs/layouts/<tool>.md names the file and commit), timestamps
// checked for presence only. Plus the tool's lock, golang-migrate's dirty flag, and the choice of
// table.

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "core/migrate/native_history.h"
#include "support/case_files.h"
#include "support/test_cluster.h"

using namespace preflight::testing;

namespace {

const std::vector<std::string> k_environment{"GOOSE_TEST_SCHEMA=app"};

struct Corpus {
  std::string tool;
  std::string rows_query; // one text line per row, in the table's order
  std::string applied;    // rows after `up`
  std::string reverted;   // rows after `down --to 0`
};

std::string rows_of(const TestDatabase& db, const std::string& select) {
  return db.scalar(
      fmt::format("SELECT coalesce(string_agg(r, E'\\n'), '') FROM ({}) AS x(r)", select));
}

const std::vector<Corpus> k_corpora{
    {"golang-migrate", "SELECT version || '|' || dirty FROM schema_migrations", "5|false", ""},
    {"goose",
     "SELECT id || '|' || version_id || '|' || is_applied || '|' || (tstamp IS NOT NULL) FROM "
     "goose_db_version ORDER BY id",
     "1|0|true|true\n2|1|true|true\n3|2|true|true\n4|3|true|true\n5|20240101120000|true|true",
     "1|0|true|true"},
    {"dbmate", "SELECT version FROM schema_migrations ORDER BY version",
     "20240101000000\n20240102000000\n20240103000000", ""},
    {"flyway",
     "SELECT concat_ws('|', installed_rank, version, description, type, script, checksum, "
     "installed_by = current_user, installed_on IS NOT NULL, execution_time >= 0, success) FROM "
     "flyway_schema_history ORDER BY installed_rank",
     "1|1|create accounts|SQL|V1__create_accounts.sql|-1509642424|t|t|t|t\n"
     "2|2|index email|SQL|V2__index_email.sql|536559263|t|t|t|t\n"
     "3|010|comment|SQL|V010__comment.sql|-1957394056|t|t|t|t",
     "1|1|create accounts|SQL|V1__create_accounts.sql|-1509642424|t|t|t|t\n"
     "2|2|index email|SQL|V2__index_email.sql|536559263|t|t|t|t\n"
     "3|010|comment|SQL|V010__comment.sql|-1957394056|t|t|t|t\n"
     "4|010|comment|UNDO_SQL|U010__comment.sql|-1338407276|t|t|t|t\n"
     "5|2|index email|UNDO_SQL|U2__index_email.sql|-2066927234|t|t|t|t\n"
     "6|1|create accounts|UNDO_SQL|U1__create_accounts.sql|-840460147|t|t|t|t"},
    {"flyway-dotted",
     "SELECT concat_ws('|', installed_rank, coalesce(version, 'NULL'), description, type, "
     "script, checksum, success) FROM flyway_schema_history ORDER BY installed_rank",
     "1|1|create accounts|SQL|V1__create_accounts.sql|-1941863588|t\n"
     "2|1.1|add name|SQL|V1.1__add_name.sql|-1671351682|t\n"
     "3|1.2|index email|SQL|V1_2__index_email.sql|624062696|t\n"
     "4|1.10|comment index|SQL|V1.10__comment_index.sql|-2117949906|t\n"
     "5|2|orders|SQL|V2__orders.sql|-237110403|t\n"
     // Repeatables: after the versioned ones, by description; checksum of the text with
     // placeholders replaced.
     "6|NULL|accounts comment|SQL|R__accounts_comment.sql|-1920812994|t\n"
     "7|NULL|named accounts|SQL|R__named_accounts.sql|-1108782291|t",
     "1|1|create accounts|SQL|V1__create_accounts.sql|-1941863588|t\n"
     "2|1.1|add name|SQL|V1.1__add_name.sql|-1671351682|t\n"
     "3|1.2|index email|SQL|V1_2__index_email.sql|624062696|t\n"
     "4|1.10|comment index|SQL|V1.10__comment_index.sql|-2117949906|t\n"
     "5|2|orders|SQL|V2__orders.sql|-237110403|t\n"
     "6|NULL|accounts comment|SQL|R__accounts_comment.sql|-1920812994|t\n"
     "7|NULL|named accounts|SQL|R__named_accounts.sql|-1108782291|t\n"
     "8|2|orders|UNDO_SQL|U2__orders.sql|392885628|t\n"
     "9|1.10|comment index|UNDO_SQL|U1.10__comment_index.sql|1782222821|t\n"
     "10|1.2|index email|UNDO_SQL|U1_2__index_email.sql|627219276|t\n"
     "11|1.1|add name|UNDO_SQL|U1.1__add_name.sql|937109333|t\n"
     "12|1|create accounts|UNDO_SQL|U1__create_accounts.sql|-840460147|t"},
    {"diesel",
     "SELECT version || '|' || (run_on IS NOT NULL) FROM __diesel_schema_migrations ORDER BY "
     "version",
     "00000000000000|true\n201711221234560000|true\n20190101000000|true\n20200101000000|true", ""},
};

class NativeHistory : public ::testing::TestWithParam<Corpus> {};

TEST_P(NativeHistory, AppliesAndRevertsEverythingWritingTheToolsOwnRows) {
  const Corpus& c = GetParam();
  const std::string migrations = (case_path("layout_corpus", c.tool) / "migrations").string();
  TestDatabase db;
  auto args = [&](std::vector<std::string> a) {
    a.insert(a.end(), {"--database-url", db.conninfo(), "--source", migrations});
    return a;
  };
  auto up = run_preflight(args({"migrate", "up"}), {}, k_environment);
  ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
  EXPECT_EQ(rows_of(db, c.rows_query), c.applied);
  // preflight's own table is not made: the tool's is the history.
  EXPECT_EQ(db.scalar("SELECT to_regclass('_sqlx_migrations') IS NULL"), "t");

  auto status = run_preflight(args({"migrate", "status", "--exit-code"}), {}, k_environment);
  EXPECT_EQ(status.exit_code, 0) << status.out << status.err;
  auto verify = run_preflight(args({"migrate", "verify"}), {}, k_environment);
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  const bool flyway = c.tool.rfind("flyway", 0) == 0;
  const std::string table = c.tool == "golang-migrate" ? "golang-migrate's schema_migrations"
                            : c.tool == "goose"        ? "goose's goose_db_version"
                            : c.tool == "dbmate"       ? "dbmate's schema_migrations"
                                                       : "diesel's __diesel_schema_migrations";
  const std::string note = "no checksum recorded: " + table +
                           " keeps versions only, so an applied file edited since is not "
                           "detected";
  // The duration column: Flyway records one; the other tools keep none, shown as "-", not 0.
  const bool dash = status.out.find("  applied  ") != std::string::npos &&
                    status.out.find("   -  ") != std::string::npos;
  EXPECT_EQ(dash, !flyway) << status.out;
  if (!flyway) {
    EXPECT_EQ(status.out.find(" 0.0 ms  "), std::string::npos) << status.out;
  }
  if (flyway) {
    EXPECT_EQ(verify.out, fmt::format("verified: {} applied migrations match their files\n",
                                      c.tool == "flyway" ? 3 : 7));
    EXPECT_EQ(status.out.find("no checksum recorded"), std::string::npos) << status.out;
  } else {
    EXPECT_NE(status.out.find(note + "\n"), std::string::npos) << status.out;
    EXPECT_EQ(verify.out.rfind("verified: ", 0), 0U) << verify.out;
    EXPECT_NE(verify.out.find("have their files; " + note + "\n"), std::string::npos) << verify.out;
  }
  auto again = run_preflight(args({"migrate", "up"}), {}, k_environment);
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("Nothing to apply"), std::string::npos) << again.out;

  auto down = run_preflight(args({"migrate", "down", "--to", "0"}), {}, k_environment);
  ASSERT_EQ(down.exit_code, 0) << down.out << down.err;
  EXPECT_EQ(rows_of(db, c.rows_query), c.reverted);
  EXPECT_EQ(db.scalar("SELECT to_regclass('accounts') IS NULL"), "t");
}

INSTANTIATE_TEST_SUITE_P(Tools, NativeHistory, ::testing::ValuesIn(k_corpora),
                         [](const ::testing::TestParamInfo<Corpus>& param) {
                           std::string name = param.param.tool;
                           for (auto& ch : name) ch = ch == '-' ? '_' : ch;
                           return name;
                         });

// Flyway's validate compares these checksums: an edited applied file is a mismatch, in
// Flyway's own numbers.
TEST(NativeHistoryFlyway, AnEditedAppliedFileIsAChecksumMismatch) {
  TestDatabase db;
  auto dir = make_temp_dir();
  write_file(dir + "/V1__a.sql", "CREATE TABLE a (id int);\n");
  auto on = [&](std::vector<std::string> a) {
    a.insert(a.end(), {"--database-url", db.conninfo(), "--source", dir});
    return a;
  };
  ASSERT_EQ(run_preflight(on({"migrate", "up"})).exit_code, 0);
  write_file(dir + "/V1__a.sql", "CREATE TABLE a (id bigint);\n");
  auto verify = run_preflight(on({"migrate", "verify"}));
  EXPECT_EQ(verify.exit_code, 3) << verify.err;
  EXPECT_EQ(verify.err,
            fmt::format("preflight: error: migration 1 (a) was edited after it was applied: "
                        "recorded checksum {}, file {}/V1__a.sql has {}\nhint: restore the "
                        "applied version of the file, or run `preflight migrate repair` to record "
                        "the new checksum if the edit is intended\n",
                        preflight::migrate::flyway_checksum("CREATE TABLE a (id int);\n"), dir,
                        preflight::migrate::flyway_checksum("CREATE TABLE a (id bigint);\n")));
  auto repair = run_preflight(on({"migrate", "repair"}));
  EXPECT_EQ(repair.exit_code, 0) << repair.err;
  EXPECT_EQ(repair.out,
            fmt::format("record the new checksum of migration 1 (a): old {}, new {}\nRepaired: 1 "
                        "change to the history.\n",
                        preflight::migrate::flyway_checksum("CREATE TABLE a (id int);\n"),
                        preflight::migrate::flyway_checksum("CREATE TABLE a (id bigint);\n")));
  EXPECT_EQ(db.scalar("SELECT checksum FROM flyway_schema_history"),
            std::to_string(preflight::migrate::flyway_checksum("CREATE TABLE a (id bigint);\n")));
  EXPECT_EQ(run_preflight(on({"migrate", "verify"})).exit_code, 0);
}

// `migrate up` with history = "sqlx" on a fresh database: exit 2 with `message`, nothing made.
void expect_refused_with_sqlx_history(const std::string& migrations, const std::string& message) {
  auto dir = make_temp_dir();
  write_file(dir + "/preflight.toml",
             fmt::format("migrations = \"{}\"\nhistory = \"sqlx\"\n", migrations));
  TestDatabase fresh;
  auto sqlx = run_preflight({"migrate", "up", "--database-url", fresh.conninfo()}, dir);
  EXPECT_EQ(sqlx.exit_code, 2) << sqlx.out << sqlx.err;
  EXPECT_NE(sqlx.err.find(message), std::string::npos) << sqlx.err;
  EXPECT_EQ(fresh.scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), "0");
}

// Dotted versions: Flyway's order (1.2 before 1.10), versions given as Flyway writes them, and
// only Flyway's own table can record them.
TEST(NativeHistoryFlyway, DottedVersionsRunInFlywaysOrderAndAreGivenAsFlywayWritesThem) {
  const std::string migrations =
      (case_path("layout_corpus", "flyway-dotted") / "migrations").string();
  TestDatabase db;
  auto on = [&](std::vector<std::string> a) {
    a.insert(a.end(), {"--database-url", db.conninfo(), "--source", migrations});
    return a;
  };
  auto up = run_preflight(on({"migrate", "up", "--to", "1_2"}));
  ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
  EXPECT_NE(up.out.find("apply   1.2 index email"), std::string::npos) << up.out;
  EXPECT_EQ(rows_of(db, "SELECT version FROM flyway_schema_history ORDER BY installed_rank"),
            "1\n1.1\n1.2");
  auto status = run_preflight(on({"migrate", "status"}));
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("            1.10  pending "), std::string::npos) << status.out;
  auto json = run_preflight(on({"migrate", "status", "--format", "json"}));
  EXPECT_NE(json.out.find("\"version_text\": \"1.10\""), std::string::npos) << json.out;

  auto rest = run_preflight(on({"migrate", "up"}));
  ASSERT_EQ(rest.exit_code, 0) << rest.err;
  auto down = run_preflight(on({"migrate", "down", "--to", "1.1.0"}));
  ASSERT_EQ(down.exit_code, 0) << down.err;
  EXPECT_EQ(rows_of(db, "SELECT version || ' ' || type FROM flyway_schema_history WHERE "
                        "installed_rank > 7 ORDER BY installed_rank"),
            "2 UNDO_SQL\n1.10 UNDO_SQL\n1.2 UNDO_SQL");
  EXPECT_EQ(db.scalar("SELECT to_regclass('accounts_email') IS NULL"), "t");

  // A version no file has is refused before anything runs.
  auto unknown = run_preflight(on({"migrate", "up", "--to", "1.5"}));
  EXPECT_EQ(unknown.exit_code, 2) << unknown.err;
  EXPECT_EQ(unknown.err.rfind("preflight: error: --to 1.5: no migration has this version\n", 0), 0U)
      << unknown.err;

  // preflight's _sqlx_migrations keys on one integer per migration.
  expect_refused_with_sqlx_history(migrations, "Flyway version 1.1 has more than one number");
}

// A repeatable migration runs after the versioned ones, and again whenever its file changes;
// a failed run stops `up` until repair removes it, as in Flyway.
TEST(NativeHistoryFlyway, ARepeatableRunsAgainWhenItsFileChanges) {
  TestDatabase db;
  auto dir = make_temp_dir();
  write_file(dir + "/V1__a.sql", "CREATE TABLE a (id int);\n");
  write_file(dir + "/R__a_view.sql", "CREATE OR REPLACE VIEW a_view AS SELECT id FROM a;\n");
  auto on = [&](std::vector<std::string> a) {
    a.insert(a.end(), {"--database-url", db.conninfo(), "--source", dir});
    return a;
  };
  const std::string runs = "SELECT concat_ws('|', installed_rank, coalesce(version, 'NULL'), "
                           "description, checksum, success) FROM flyway_schema_history ORDER BY "
                           "installed_rank";
  auto up = run_preflight(on({"migrate", "up"}));
  ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
  EXPECT_NE(up.out.find("apply     R a view "), std::string::npos) << up.out;
  using preflight::migrate::flyway_checksum;
  EXPECT_EQ(rows_of(db, runs),
            fmt::format("1|1|a|{}|t\n2|NULL|a view|{}|t",
                        flyway_checksum("CREATE TABLE a (id int);\n"),
                        flyway_checksum("CREATE OR REPLACE VIEW a_view AS SELECT id FROM a;\n")));
  auto again = run_preflight(on({"migrate", "up"}));
  EXPECT_NE(again.out.find("Nothing to apply"), std::string::npos) << again.out;

  write_file(dir + "/R__a_view.sql",
             "CREATE OR REPLACE VIEW a_view AS SELECT id, 1 AS one FROM a;\n");
  auto status = run_preflight(on({"migrate", "status", "--exit-code"}));
  EXPECT_EQ(status.exit_code, 1) << status.out << status.err;
  EXPECT_NE(status.out.find("               R  outdated "), std::string::npos) << status.out;
  auto verify = run_preflight(on({"migrate", "verify"}));
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_EQ(verify.out, "1 repeatable migration changed since its last run: `migrate up` runs it "
                        "again\nverified: 1 applied migration matches its file\n");
  auto rerun = run_preflight(on({"migrate", "up"}));
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_EQ(db.scalar("SELECT count(*) FROM flyway_schema_history WHERE version IS NULL"), "2");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = "
                      "'a_view'"),
            "2");

  // A run that fails: Flyway refuses to migrate until the row is repaired away.
  write_file(dir + "/R__a_view.sql", "CREATE OR REPLACE VIEW a_view AS SELECT nope FROM a;\n");
  auto failed = run_preflight(on({"migrate", "up"}));
  EXPECT_EQ(failed.exit_code, 1) << failed.out << failed.err;
  // The failure rolled back with its row (Flyway records none for a rolled-back migration).
  EXPECT_EQ(db.scalar("SELECT count(*) FROM flyway_schema_history"), "3");
  // As Flyway leaves a run it could not roll back (a statement outside a transaction).
  EXPECT_EQ(db.scalar("WITH row AS (INSERT INTO flyway_schema_history (installed_rank, version, "
                      "description, type, script, checksum, installed_by, execution_time, "
                      "success) VALUES (4, NULL, 'a view', 'SQL', 'R__a_view.sql', 1, "
                      "current_user, 0, false) RETURNING 1) SELECT count(*) FROM row"),
            "1");
  auto blocked = run_preflight(on({"migrate", "up"}));
  EXPECT_EQ(blocked.exit_code, 3) << blocked.err;
  EXPECT_NE(blocked.err.find("repeatable migration \"a view\" is recorded as failed"),
            std::string::npos)
      << blocked.err;
  auto repair = run_preflight(on({"migrate", "repair"}));
  EXPECT_EQ(repair.exit_code, 0) << repair.err;
  EXPECT_NE(repair.out.find("remove the failed row of repeatable migration \"a view\""),
            std::string::npos)
      << repair.out;
  EXPECT_EQ(db.scalar("SELECT count(*) FROM flyway_schema_history"), "3");

  // preflight's _sqlx_migrations has no row for a migration without a version.
  expect_refused_with_sqlx_history(dir, "repeatable migration \"a view\" has no version");
}

// golang-migrate marks the version dirty before a migration it cannot run in a transaction; a
// failure leaves it dirty, which blocks up until repair (golang-migrate: `force`).
TEST(NativeHistoryGolangMigrate, AFailedUntransactedMigrationLeavesTheVersionDirty) {
  TestDatabase db;
  auto dir = make_temp_dir();
  write_file(dir + "/1_a.up.sql", "CREATE TABLE a (id int);\n");
  write_file(dir + "/1_a.down.sql", "DROP TABLE a;\n");
  write_file(dir + "/2_idx.up.sql", "CREATE INDEX CONCURRENTLY a_x ON a (x);\n");
  write_file(dir + "/2_idx.down.sql", "");
  auto on = [&](std::vector<std::string> a) {
    a.insert(a.end(), {"--database-url", db.conninfo(), "--source", dir});
    return a;
  };
  auto up = run_preflight(on({"migrate", "up"}));
  EXPECT_EQ(up.exit_code, 1) << up.err;
  EXPECT_EQ(db.scalar("SELECT version || '|' || dirty FROM schema_migrations"), "2|true");
  auto again = run_preflight(on({"migrate", "up"}));
  EXPECT_EQ(again.exit_code, 3) << again.err;
  EXPECT_NE(again.err.find("migration 2 (idx) is recorded as failed (partially applied)"),
            std::string::npos)
      << again.err;
  // Fixed by hand (nothing to drop: the index was never made), then repaired.
  EXPECT_EQ(run_preflight(on({"migrate", "repair"})).exit_code, 0);
  EXPECT_EQ(db.scalar("SELECT version || '|' || dirty FROM schema_migrations"), "1|false");
}

// preflight waits for golang-migrate's own lock: a golang-migrate run holding it keeps preflight
// out.
TEST(NativeHistoryGolangMigrate, WaitsForTheToolsAdvisoryLock) {
  TestDatabase db;
  auto dir = make_temp_dir();
  write_file(dir + "/1_a.up.sql", "CREATE TABLE a (id int);\n");
  write_file(dir + "/1_a.down.sql", ""); // empty: golang-migrate's, not sqlx's
  auto holder = db.connect();
  const auto key =
      preflight::migrate::golang_migrate_lock_key(db.name(), "public", "schema_migrations");
  holder->exec("SELECT pg_advisory_lock(" + std::to_string(key) + ")");
  auto up = run_preflight(
      {"migrate", "up", "--lock-wait", "1", "--database-url", db.conninfo(), "--source", dir});
  EXPECT_EQ(up.exit_code, 1) << up.err;
  EXPECT_NE(up.err.find("gave up waiting 1 s for the migration lock held by pid"),
            std::string::npos)
      << up.err;
  EXPECT_EQ(db.scalar("SELECT to_regclass('a') IS NULL"), "t");
  holder->exec("SELECT pg_advisory_unlock(" + std::to_string(key) + ")");
  EXPECT_EQ(
      run_preflight({"migrate", "up", "--database-url", db.conninfo(), "--source", dir}).exit_code,
      0);
}

// baseline writes the rows the tool would have written for each version up to V.
TEST(NativeHistoryBaseline, RecordsVersionsAsTheToolWouldHave) {
  const std::string golang = (case_path("layout_corpus", "golang-migrate") / "migrations").string();
  TestDatabase db;
  auto baseline = run_preflight(
      {"migrate", "baseline", "3", "--database-url", db.conninfo(), "--source", golang});
  ASSERT_EQ(baseline.exit_code, 0) << baseline.err;
  EXPECT_EQ(db.scalar("SELECT version || '|' || dirty FROM schema_migrations"), "3|false");
  EXPECT_EQ(db.scalar("SELECT to_regclass('accounts') IS NULL"), "t"); // nothing ran

  const std::string goose = (case_path("layout_corpus", "goose") / "migrations").string();
  TestDatabase other;
  auto goose_baseline = run_preflight(
      {"migrate", "baseline", "2", "--database-url", other.conninfo(), "--source", goose}, {},
      k_environment);
  ASSERT_EQ(goose_baseline.exit_code, 0) << goose_baseline.err;
  EXPECT_EQ(rows_of(other, "SELECT version_id || '|' || is_applied FROM goose_db_version ORDER "
                           "BY id"),
            "0|true\n1|true\n2|true");
}

// The default: the tool's table, unless the database keeps sqlx's and not the tool's;
// `history = "sqlx"` keeps preflight's own table.
TEST(NativeHistoryChoice, DefaultAndConfiguredTables) {
  TestDatabase db;
  auto dir = make_temp_dir();
  write_file(dir + "/migrations/20240101000000_a.sql",
             "-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n");
  write_file(dir + "/preflight.toml", "history = \"sqlx\"\n");
  auto up = run_preflight({"migrate", "up", "--database-url", db.conninfo()}, dir);
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(db.scalar("SELECT count(*) FROM _sqlx_migrations"), "1");
  EXPECT_EQ(db.scalar("SELECT to_regclass('schema_migrations') IS NULL"), "t");
  // Without the setting, a database with sqlx's table and not dbmate's stays on sqlx's.
  write_file(dir + "/preflight.toml", "");
  auto status =
      run_preflight({"migrate", "status", "--exit-code", "--database-url", db.conninfo()}, dir);
  EXPECT_EQ(status.exit_code, 0) << status.out << status.err;
  EXPECT_EQ(status.out.find("no checksum recorded"), std::string::npos) << status.out;
  write_file(dir + "/preflight.toml", "history = \"native\"\n");
  auto native =
      run_preflight({"migrate", "status", "--exit-code", "--database-url", db.conninfo()}, dir);
  EXPECT_EQ(native.exit_code, 1) << native.out << native.err; // pending in dbmate's table
  write_file(dir + "/preflight.toml", "history = \"dbmate\"\n");
  auto bad = run_preflight({"migrate", "status", "--database-url", db.conninfo()}, dir);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err, "preflight: error: preflight.toml:1:11: unknown history \"dbmate\"\nhint: "
                     "history is \"sqlx\" (_sqlx_migrations) or \"native\" (the layout's own "
                     "tool's table)\n");
}

// The dbmate binary: $PREFLIGHT_DBMATE, else the one tool/setup.sh installs from npm into
// build/tools, else dbmate on PATH; empty when there is none.
std::string dbmate_binary() {
  if (const char* set = std::getenv("PREFLIGHT_DBMATE"); set && *set) return set;
  const std::string local =
      std::string(PREFLIGHT_SOURCE_DIR) + "/build/tools/node_modules/.bin/dbmate";
  if (access(local.c_str(), X_OK) == 0) return local;
  if (const char* path = std::getenv("PATH")) {
    std::stringstream dirs(path);
    for (std::string dir; std::getline(dirs, dir, ':');) {
      const std::string candidate = dir + "/dbmate";
      if (!dir.empty() && access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  return {};
}

// The test database as a URL dbmate (lib/pq) reads: a unix socket folder as the host parameter.
std::string dbmate_url(const TestDatabase& db) {
  std::map<std::string, std::string> keys;
  std::stringstream words(db.conninfo());
  for (std::string word; words >> word;) {
    auto eq = word.find('=');
    if (eq != std::string::npos) keys[word.substr(0, eq)] = word.substr(eq + 1);
  }
  return fmt::format("postgres://{}@/{}?host={}&port={}&sslmode=disable", keys["user"],
                     keys["dbname"], keys["host"], keys["port"]);
}

struct Shell {
  int exit_code = -1;
  std::string out; // stdout and stderr
};

Shell run_dbmate(const std::string& binary, const TestDatabase& db, const std::string& dir,
                 const std::string& command) {
  Shell result;
  // Bounded: dbmate's own connection wait is off, and timeout ends it after 60 s.
  const std::string line =
      fmt::format("timeout 60 '{}' --url '{}' --migrations-dir '{}' --no-dump-schema {} 2>&1",
                  binary, dbmate_url(db), dir, command);
  FILE* pipe = popen(line.c_str(), "r");
  if (!pipe) return result;
  char buffer[4096];
  while (auto n = fread(buffer, 1, sizeof buffer, pipe)) result.out.append(buffer, n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// dbmate applies the first half, preflight the rest in dbmate's table, dbmate sees all applied
// and rolls back the last one, which preflight then sees as pending.
TEST(NativeHistoryDbmate, TakesTurnsWithTheDbmateBinary) {
  const std::string dbmate = dbmate_binary();
  if (dbmate.empty()) {
    GTEST_SKIP() << "no dbmate binary: set PREFLIGHT_DBMATE, put dbmate on PATH, or run `npm "
                    "install --prefix build/tools dbmate` (tool/setup.sh does when npm exists)";
  }
  TestDatabase db;
  auto dir = make_temp_dir();
  write_file(dir + "/20240101000000_accounts.sql",
             "-- migrate:up\nCREATE TABLE accounts (id bigint PRIMARY KEY, email text);\n\n"
             "-- migrate:down\nDROP TABLE accounts;\n");
  write_file(dir + "/20240102000000_orders.sql",
             "-- migrate:up\nCREATE TABLE orders (id bigint, account bigint);\n\n"
             "-- migrate:down\nDROP TABLE orders;\n");
  auto first = run_dbmate(dbmate, db, dir, "up");
  ASSERT_EQ(first.exit_code, 0) << first.out;
  EXPECT_EQ(rows_of(db, "SELECT version FROM schema_migrations ORDER BY version"),
            "20240101000000\n20240102000000");

  write_file(dir + "/20240103000000_note.sql",
             "-- migrate:up\nALTER TABLE accounts ADD COLUMN note text;\n\n"
             "-- migrate:down\nALTER TABLE accounts DROP COLUMN note;\n");
  write_file(dir + "/20240104000000_index.sql",
             "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY accounts_email ON "
             "accounts (email);\n\n-- migrate:down transaction:false\nDROP INDEX CONCURRENTLY "
             "accounts_email;\n");
  auto up = run_preflight({"migrate", "up", "--database-url", db.conninfo(), "--source", dir});
  ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
  EXPECT_EQ(rows_of(db, "SELECT version FROM schema_migrations ORDER BY version"),
            "20240101000000\n20240102000000\n20240103000000\n20240104000000");

  auto status = run_dbmate(dbmate, db, dir, "status");
  EXPECT_NE(status.out.find("[X] 20240104000000_index.sql"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("Applied: 4"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("Pending: 0"), std::string::npos) << status.out;

  auto rollback = run_dbmate(dbmate, db, dir, "rollback");
  ASSERT_EQ(rollback.exit_code, 0) << rollback.out;
  EXPECT_EQ(db.scalar("SELECT to_regclass('accounts_email') IS NULL"), "t");
  auto pending = run_preflight(
      {"migrate", "status", "--exit-code", "--database-url", db.conninfo(), "--source", dir});
  EXPECT_EQ(pending.exit_code, 1) << pending.out << pending.err;
  EXPECT_NE(pending.out.find("20240104000000  pending"), std::string::npos) << pending.out;
}

} // namespace
