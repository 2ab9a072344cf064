// Migration safety end to end: `preflight lint` on files, and `migrate up --dry-run
// --trace-locks` against a real PostgreSQL.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/test_cluster.h"

using namespace preflight::testing;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(LintCli, FlagsTheBundledPlainCreateIndex) {
  auto r = run_preflight({"lint", bundled_migrations()});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const std::string file = bundled_migrations() + "/0003_mid003_batch_optimizations.up.sql";
  EXPECT_TRUE(contains(
      r.out, file +
                 ":14:1: error[create-index-not-concurrently]: CREATE INDEX on existing table "
                 "focus_sessions takes a SHARE lock: writes (INSERT, UPDATE, DELETE) are blocked "
                 "for the whole build\n"
                 "  hint: use CREATE INDEX CONCURRENTLY in its own migration that starts with "
                 "-- no-transaction\n"))
      << r.out;
  EXPECT_TRUE(contains(r.out, "preflight lint: 4 errors, 3 warnings in 6 files\n")) << r.out;
}

TEST(LintCli, GithubAndSarifFormats) {
  auto dir = make_temp_dir();
  write_file(dir + "/0001_idx.sql", "SET lock_timeout = '1s';\nCREATE INDEX i ON t (a);\n");
  auto github = run_preflight({"lint", "--format", "github", "0001_idx.sql"}, dir);
  EXPECT_EQ(github.exit_code, 1);
  EXPECT_EQ(github.out, "::error file=0001_idx.sql,line=2,col=1,title=preflight "
                        "create-index-not-concurrently::CREATE INDEX on "
                        "existing table t takes a SHARE lock: writes (INSERT, UPDATE, DELETE) are "
                        "blocked for the whole "
                        "build%0Ahint: use CREATE INDEX CONCURRENTLY in its own migration that "
                        "starts with -- no-transaction\n");
  auto sarif = run_preflight({"lint", "--format", "sarif", "0001_idx.sql"}, dir);
  EXPECT_EQ(sarif.exit_code, 1);
  auto log = nlohmann::json::parse(sarif.out);
  EXPECT_EQ(log["version"], "2.1.0");
  EXPECT_EQ(log["runs"][0]["results"][0]["ruleId"], "create-index-not-concurrently");
  EXPECT_EQ(
      log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
      "0001_idx.sql");
}

TEST(LintCli, ConfigLevelsAndBadInput) {
  auto dir = make_temp_dir();
  write_file(dir + "/migrations/0001_drop.sql",
             "SET lock_timeout = '1s';\nALTER TABLE t DROP COLUMN c;\n");
  // A warning alone exits 0; raised to error in preflight.toml it exits 1.
  EXPECT_EQ(run_preflight({"lint"}, dir).exit_code, 0);
  write_file(dir + "/preflight.toml", "[lint.rules]\ndrop-column = \"error\"\n");
  auto raised = run_preflight({"lint"}, dir);
  EXPECT_EQ(raised.exit_code, 1);
  EXPECT_TRUE(contains(raised.out, "migrations/0001_drop.sql:2:1: error[drop-column]:"))
      << raised.out;

  write_file(dir + "/preflight.toml", "[lint.rules]\ndrop-colum = \"off\"\n");
  auto unknown = run_preflight({"lint"}, dir);
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_TRUE(contains(
      unknown.err,
      "preflight: error: preflight.toml:2:1: unknown lint rule `drop-colum` in [lint.rules]"))
      << unknown.err;

  write_file(dir + "/preflight.toml", "lock_timeout = \"5s\"\n");
  write_file(dir + "/bad.sql", "SELECT 1;\nALTER TABLE t ADD COLUMN;\n");
  auto broken = run_preflight({"lint", "bad.sql"}, dir);
  EXPECT_EQ(broken.exit_code, 2);
  EXPECT_TRUE(
      contains(broken.err,
               "preflight: error: bad.sql:2:25: SQL does not parse: syntax error at or near \";\""))
      << broken.err;
}

// A wrong path in CI must not pass as "no findings in 0 files"; an empty file is a mistake
// whether it is linted alone or in a folder.
TEST(LintCli, FolderWithoutMigrationsAndEmptyFileAreBadInput) {
  auto dir = make_temp_dir();
  write_file(dir + "/src/main.cpp", "int main() {}\n");
  auto none = run_preflight({"lint", "src"}, dir);
  EXPECT_EQ(none.exit_code, 2) << none.out;
  EXPECT_EQ(none.err, "preflight: error: src: no migration files in this folder\n"
                      "hint: migration files are named <VERSION>_<DESCRIPTION>.sql, e.g. "
                      "0001_init.sql\n");
  write_file(dir + "/empty.sql", "-- nothing yet\n");
  auto empty = run_preflight({"lint", "empty.sql"}, dir);
  EXPECT_EQ(empty.exit_code, 2) << empty.out;
  EXPECT_EQ(empty.err, "preflight: error: empty.sql: migration is empty (no SQL statement)\n");
}

TEST(LintCli, SarifUriIsAUriReference) {
  auto dir = make_temp_dir();
  write_file(dir + "/sp ace/0001_idx.sql", "SET lock_timeout = '1s';\nCREATE INDEX i ON t (a);\n");
  auto sarif = run_preflight({"lint", "--format", "sarif", "sp ace/0001_idx.sql"}, dir);
  EXPECT_EQ(sarif.exit_code, 1) << sarif.err;
  auto log = nlohmann::json::parse(sarif.out);
  EXPECT_EQ(log["runs"][0]["tool"]["driver"]["version"], PREFLIGHT_VERSION);
  EXPECT_EQ(
      log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
      "sp%20ace/0001_idx.sql");
}

// Applies `setup` for real, then traces `migrations` (already in `dir`) in a dry run as JSON.
nlohmann::json dry_run_trace(const TestDatabase& db, const std::string& dir, int& exit_code,
                             const std::string& command = "up",
                             const std::string& dry_run = "--dry-run") {
  auto r = run_preflight({"migrate", command, dry_run, "--trace-locks", "--format", "json",
                          "--database-url", db.conninfo(), "--source", dir});
  exit_code = r.exit_code;
  EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
  return nlohmann::json::parse(r.out);
}

const nlohmann::json* find_lock(const nlohmann::json& statement, const std::string& relation) {
  for (const auto& lock : statement["locks"]) {
    if (lock["relation"] == relation) return &lock;
  }
  return nullptr;
}

TEST(TraceLocks, CreateIndexOnAPopulatedTableHoldsShareAndIsTimed) {
  TestDatabase db;
  auto dir = make_temp_dir();
  write_file(dir + "/0001_t.sql",
             "CREATE TABLE t (id bigint PRIMARY KEY, a int);\n"
             "INSERT INTO t SELECT g, g % 1000 FROM generate_series(1, 200000) g;\nANALYZE t;\n");
  ASSERT_EQ(
      run_preflight({"migrate", "up", "--database-url", db.conninfo(), "--source", dir}).exit_code,
      0);
  write_file(dir + "/0002_index.sql", "CREATE INDEX t_a ON t (a);\n");
  write_file(dir + "/0003_concurrent.sql",
             "-- no-transaction\nCREATE INDEX CONCURRENTLY t_a2 ON t (a);\n");
  int exit_code = -1;
  // In a rolled-back transaction (auto would run the -- no-transaction migration on a copy,
  // whose table has no rows: see migrate_dry_run_test.cpp).
  auto doc = dry_run_trace(db, dir, exit_code, "up", "--dry-run=transaction");
  const auto& statements = doc["lock_trace"]["statements"];
  ASSERT_EQ(statements.size(), 2U) << doc.dump(2);
  const auto& index = statements[0];
  EXPECT_EQ(index["version"], 2);
  EXPECT_EQ(index["statement"], "CREATE INDEX t_a ON t (a)");
  EXPECT_GT(index["duration_ns"].get<std::int64_t>(), 0);
  const auto* lock = find_lock(index, "t");
  ASSERT_NE(lock, nullptr) << index.dump(2);
  EXPECT_EQ((*lock)["mode"], "SHARE");
  EXPECT_EQ((*lock)["blocks"], "writes");
  EXPECT_EQ((*lock)["rewrite"], false);
  EXPECT_EQ((*lock)["rows"], 200000);
  EXPECT_GE((*lock)["held_ns"].get<std::int64_t>(), index["duration_ns"].get<std::int64_t>());

  const auto& concurrent = statements[1];
  EXPECT_EQ(concurrent["version"], 3);
  EXPECT_EQ(concurrent["traced"], false);
  EXPECT_EQ(concurrent["note"],
            "CONCURRENTLY cannot run inside a transaction, so a dry run cannot trace it");
  // The dry run left nothing behind.
  EXPECT_EQ(db.scalar("SELECT count(*) FROM pg_indexes WHERE tablename = 't'"), "1");
  EXPECT_EQ(db.scalar("SELECT max(version) FROM _sqlx_migrations"), "1");
}

TEST(TraceLocks, AlterColumnTypeToBigintRewritesUnderAccessExclusive) {
  TestDatabase db;
  auto dir = make_temp_dir();
  write_file(
      dir + "/0001_t.sql",
      "CREATE TABLE t (id int PRIMARY KEY);\nINSERT INTO t SELECT generate_series(1, 1000);\n");
  ASSERT_EQ(
      run_preflight({"migrate", "up", "--database-url", db.conninfo(), "--source", dir}).exit_code,
      0);
  const std::string before = db.scalar("SELECT relfilenode FROM pg_class WHERE relname = 't'");
  write_file(
      dir + "/0002_widen.sql",
      "ALTER TABLE t ALTER COLUMN id TYPE bigint;\nALTER TABLE t ALTER COLUMN id SET DEFAULT 0;\n");
  int exit_code = -1;
  auto doc = dry_run_trace(db, dir, exit_code);
  const auto& statements = doc["lock_trace"]["statements"];
  ASSERT_EQ(statements.size(), 2U) << doc.dump(2);
  const auto* widen = find_lock(statements[0], "t");
  ASSERT_NE(widen, nullptr);
  EXPECT_EQ((*widen)["mode"], "ACCESS EXCLUSIVE");
  EXPECT_EQ((*widen)["blocks"], "reads and writes");
  EXPECT_EQ((*widen)["rewrite"], true);
  // The second statement needs the lock the first already holds: nothing new, no rewrite.
  EXPECT_TRUE(statements[1]["locks"].empty()) << statements[1].dump(2);
  EXPECT_EQ(db.scalar("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
                      "'t'::regclass AND "
                      "attname = 'id'"),
            "integer");
  EXPECT_EQ(db.scalar("SELECT relfilenode FROM pg_class WHERE relname = 't'"), before);
}

TEST(TraceLocks, BundledMigrationThreeBlocksWritesOnFocusSessionsAndLocksBothFkTables) {
  TestDatabase db;
  ASSERT_EQ(run_preflight({"migrate", "up", "--to", "2", "--database-url", db.conninfo(),
                           "--source", bundled_migrations()})
                .exit_code,
            0);
  auto session = db.connect();
  session->exec("INSERT INTO users (email, display_name) SELECT 'u' || g || '@example.com', 'U' || "
                "g FROM generate_series(1, 500) g;"
                "INSERT INTO focus_sessions (user_id, mode, duration_seconds) SELECT 1 + g % 500, "
                "'pomodoro', 1500 "
                "FROM generate_series(1, 20000) g;"
                "INSERT INTO focus_libraries (user_id, name) SELECT 1 + g % 500, 'L' || g FROM "
                "generate_series(1, 1000) g;"
                "INSERT INTO focus_library_tracks (library_id, title, url) SELECT 1 + g % 1000, "
                "'T', 'https://example.com' "
                "FROM generate_series(1, 5000) g; ANALYZE;");
  auto text = run_preflight({"migrate", "up", "--dry-run", "--trace-locks", "--database-url",
                             db.conninfo(), "--source", bundled_migrations()});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_TRUE(contains(text.out, "migration 3: writes on focus_sessions would be blocked for "))
      << text.out;

  int exit_code = -1;
  auto doc = dry_run_trace(db, bundled_migrations(), exit_code);
  std::map<std::string, std::set<std::string>> modes; // relation → modes taken by migration 3
  const nlohmann::json* create_index = nullptr;
  for (const auto& s : doc["lock_trace"]["statements"]) {
    if (s["statement"].get<std::string>().rfind("CREATE INDEX", 0) == 0) create_index = &s;
    for (const auto& lock : s["locks"]) modes[lock["relation"]].insert(lock["mode"]);
  }
  ASSERT_NE(create_index, nullptr) << doc.dump(2);
  const auto* share = find_lock(*create_index, "focus_sessions");
  ASSERT_NE(share, nullptr);
  EXPECT_EQ((*share)["mode"], "SHARE");
  EXPECT_EQ((*share)["rows"], 20000);
  EXPECT_TRUE(modes["focus_library_tracks"].count("ACCESS EXCLUSIVE")) << doc.dump(2);
  EXPECT_TRUE(modes["focus_library_tracks"].count("SHARE ROW EXCLUSIVE"));
  EXPECT_TRUE(modes["focus_libraries"].count("SHARE ROW EXCLUSIVE")) << doc.dump(2);
  EXPECT_EQ(
      db.scalar(
          "SELECT count(*) FROM pg_indexes WHERE indexname = 'idx_focus_sessions_user_active'"),
      "0");
  EXPECT_EQ(db.scalar("SELECT confdeltype FROM pg_constraint WHERE conname = "
                      "'focus_library_tracks_library_id_fk'"),
            "a");
  EXPECT_EQ(db.scalar("SELECT max(version) FROM _sqlx_migrations"), "2");
}

TEST(TraceLocks, DownDryRunIsTracedToo) {
  TestDatabase db;
  ASSERT_EQ(run_preflight({"migrate", "up", "--database-url", db.conninfo(), "--source",
                           bundled_migrations()})
                .exit_code,
            0);
  int exit_code = -1;
  auto doc = dry_run_trace(db, bundled_migrations(), exit_code, "down");
  ASSERT_FALSE(doc["lock_trace"]["statements"].empty());
  const auto& drop_index = doc["lock_trace"]["statements"].back();
  EXPECT_EQ(drop_index["direction"], "down");
  EXPECT_EQ(drop_index["statement"], "DROP INDEX IF EXISTS idx_focus_sessions_user_active");
  const auto* lock = find_lock(drop_index, "focus_sessions");
  ASSERT_NE(lock, nullptr) << drop_index.dump(2);
  EXPECT_EQ((*lock)["mode"], "ACCESS EXCLUSIVE");
  EXPECT_EQ(doc["steps"][0]["outcome"], "dry_run_ok");
  EXPECT_EQ(
      db.scalar(
          "SELECT count(*) FROM pg_indexes WHERE indexname = 'idx_focus_sessions_user_active'"),
      "1");
}

} // namespace
