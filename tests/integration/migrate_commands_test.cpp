// repair, baseline, new, dry runs, sqlx take-over, failure states, connection handling and
// configuration: the real binary against a real PostgreSQL.

#include <gtest/gtest.h>

#include <pwd.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/migrate/checksum.h"
#include "core/migrate/lock_key.h"
#include "support/case_files.h"
#include "support/test_cluster.h"

using namespace preflight::testing;
namespace fs = std::filesystem;
using preflight::migrate::sha384;
using preflight::migrate::to_hex;

namespace {

std::vector<std::string> on(const TestDatabase& db, const std::string& dir,
                            std::vector<std::string> args) {
  args.insert(args.end(), {"--database-url", db.conninfo(), "--source", dir});
  return args;
}

std::string hex_of_file(const std::string& path) {
  return to_hex(sha384(read_text(path)));
}

// The history as one comparable string.
std::string history_rows(const TestDatabase& db, const std::string& table = "_sqlx_migrations") {
  return db.scalar(
      fmt::format("SELECT coalesce(string_agg(format('%s|%s|%s|%s|%s|%s', version, description, "
                  "installed_on, success, encode(checksum, 'hex'), execution_time), E'\\n' "
                  "ORDER BY version), '') FROM {}",
                  table));
}

std::string capture(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return out;
  char buffer[4096];
  while (auto n = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  pclose(pipe);
  return out;
}

// pg_dump 15.14+ brackets its output with \restrict / \unrestrict and a random key per run.
std::string schema_dump(const TestDatabase& db) {
  auto dump = capture(fmt::format("{}/pg_dump --schema-only --no-owner -d '{}'", postgres_bin_dir(),
                                  db.conninfo()));
  std::string kept;
  std::size_t start = 0;
  while (start < dump.size()) {
    auto end = dump.find('\n', start);
    if (end == std::string::npos) end = dump.size() - 1;
    auto line = dump.substr(start, end - start + 1);
    if (line.rfind("\\restrict ", 0) != 0 && line.rfind("\\unrestrict ", 0) != 0) kept += line;
    start = end + 1;
  }
  return kept;
}

// True while another session runs `statement` (statements are sent with the whitespace and
// comments that precede them in the file, e.g. a first line "-- no-transaction").
bool running(const TestDatabase& db, const std::string& statement) {
  return db.scalar(
             fmt::format("SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND "
                         "state = 'active' AND position('{}' in query) > 0",
                         statement)) == "1";
}

// Starts preflight without waiting for it (for kill and concurrency tests).
pid_t spawn_preflight(const std::vector<std::string>& args, const std::string& log_path,
                      bool ignore_hangup = false, const std::vector<std::string>& env = {}) {
  pid_t pid = fork();
  if (pid == 0) {
    if (ignore_hangup) signal(SIGHUP, SIG_IGN); // as nohup does
    for (const auto& entry : env) putenv(const_cast<char*>(entry.c_str()));
    int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(log, 1);
    dup2(log, 2);
    std::vector<char*> argv{const_cast<char*>(PREFLIGHT_BINARY)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(PREFLIGHT_BINARY, argv.data());
    _exit(127);
  }
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Polls `condition` every 20 ms for up to `seconds`.
template <class Condition> bool eventually(Condition condition, double seconds = 20) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

TEST(MigrateRepair, RecordsTheChecksumOfAnEditedFilePrintingBothValues) {
  TestDatabase db;
  auto dir = make_temp_dir();
  write_file(dir + "/0001_a.sql", "CREATE TABLE a (id int);\n");
  ASSERT_EQ(run_preflight(on(db, dir, {"migrate", "up"})).exit_code, 0);
  const auto old_hex = hex_of_file(dir + "/0001_a.sql");
  write_file(dir + "/0001_a.sql", "-- reviewed\nCREATE TABLE a (id int);\n");
  const auto new_hex = hex_of_file(dir + "/0001_a.sql");

  auto verify = run_preflight(on(db, dir, {"migrate", "verify"}));
  EXPECT_EQ(verify.exit_code, 3);
  EXPECT_NE(verify.err.find(fmt::format(
                "preflight: error: migration 1 (a) was edited after it was applied: recorded "
                "checksum {}, file {}/0001_a.sql has {}\n",
                old_hex, dir, new_hex)),
            std::string::npos)
      << verify.err;

  auto dry = run_preflight(on(db, dir, {"migrate", "repair", "--dry-run"}));
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_EQ(dry.out,
            fmt::format("would record the new checksum of migration 1 (a): old {}, new {}\n"
                        "Dry run: 1 change to the history; nothing was changed.\n",
                        old_hex, new_hex));
  EXPECT_EQ(run_preflight(on(db, dir, {"migrate", "verify"})).exit_code, 3);

  auto repair = run_preflight(on(db, dir, {"migrate", "repair"}));
  EXPECT_EQ(repair.exit_code, 0) << repair.err;
  EXPECT_EQ(repair.out, fmt::format("record the new checksum of migration 1 (a): old {}, new {}\n"
                                    "Repaired: 1 change to the history.\n",
                                    old_hex, new_hex));
  EXPECT_EQ(db.scalar("SELECT encode(checksum, 'hex') FROM _sqlx_migrations WHERE version = 1"),
            new_hex);
  EXPECT_EQ(run_preflight(on(db, dir, {"migrate", "verify"})).exit_code, 0);
  EXPECT_EQ(run_preflight(on(db, dir, {"migrate", "repair"})).out,
            "Nothing to repair: no edited file and no failed row in the history.\n");
}

TEST(MigrateRepair, FailedConcurrentIndexIsRecordedNamedBlocksUpAndIsRepairedAfterAFixByHand) {
  TestDatabase db;
  auto dir = make_temp_dir();
  write_file(dir + "/0001_t.sql", "CREATE TABLE t (v int);\nINSERT INTO t VALUES (1), (1), (2);\n");
  write_file(dir + "/0002_unique_v.sql",
             "-- no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY t_v_key ON t (v);\n");
  write_file(dir + "/0003_after.sql", "CREATE TABLE after_unique (id int);\n");

  auto up = run_preflight(on(db, dir, {"migrate", "up"}));
  EXPECT_EQ(up.exit_code, 1);
  EXPECT_NE(
      up.out.find(
          "      note: index t_v_key on t is INVALID (left by a failed CREATE INDEX CONCURRENTLY): "
          "DROP INDEX CONCURRENTLY t_v_key; before retrying\n"),
      std::string::npos)
      << up.out;
  EXPECT_NE(
      up.err.find(
          dir +
          "/0002_unique_v.sql:2:1: migration 2 (unique v) failed: ERROR 23505: could not create "
          "unique index \"t_v_key\"\nDETAIL: Key (v)=(1) is duplicated."),
      std::string::npos)
      << up.err;
  // Nothing was rolled back: the output must not say so, and must say the way out.
  EXPECT_NE(up.out.find("FAILED, not rolled back (no transaction)"), std::string::npos) << up.out;
  EXPECT_EQ(up.err.find("rolled back;"), std::string::npos) << up.err;
  EXPECT_NE(up.err.find("migration 2 ran without a transaction: the statements before the failing "
                        "one stay done, and its history row is marked failed, which blocks "
                        "further runs; fix the database by hand, then `preflight migrate repair`; "
                        "1 earlier migration of this run stays applied"),
            std::string::npos)
      << up.err;
  EXPECT_EQ(db.scalar("SELECT string_agg(version || ':' || success, ',' ORDER BY version) FROM "
                      "_sqlx_migrations"),
            "1:true,2:false");

  auto blocked = run_preflight(on(db, dir, {"migrate", "up"}));
  EXPECT_EQ(blocked.exit_code, 3);
  EXPECT_NE(
      blocked.err.find(
          "preflight: error: migration 2 (unique v) is recorded as failed (partially applied)"),
      std::string::npos)
      << blocked.err;
  EXPECT_EQ(db.scalar("SELECT to_regclass('after_unique') IS NULL"), "t");

  // The DBA's fix by hand.
  auto session = db.connect();
  session->exec("DROP INDEX CONCURRENTLY t_v_key");
  session->exec("DELETE FROM t WHERE ctid NOT IN (SELECT min(ctid) FROM t GROUP BY v)");

  auto repair = run_preflight(on(db, dir, {"migrate", "repair"}));
  EXPECT_EQ(repair.exit_code, 0) << repair.err;
  EXPECT_EQ(repair.out, "remove the failed row of migration 2 (unique v); it will run again at the "
                        "next `migrate up`\n"
                        "Repaired: 1 change to the history.\n");
  auto again = run_preflight(on(db, dir, {"migrate", "up"}));
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(db.scalar("SELECT string_agg(version || ':' || success, ',' ORDER BY version) FROM "
                      "_sqlx_migrations"),
            "1:true,2:true,3:true");
  EXPECT_EQ(db.scalar("SELECT indisvalid FROM pg_index WHERE indexrelid = 't_v_key'::regclass"),
            "t");
  EXPECT_EQ(run_preflight(on(db, dir, {"migrate", "verify"})).exit_code, 0);
}

TEST(MigrateBaseline, TakesOverADatabaseSetUpByHand) {
  TestDatabase db;
  auto dir = make_temp_dir();
  write_file(dir + "/0001_a.sql", "CREATE TABLE a (id int);\n");
  write_file(dir + "/0002_b.up.sql", "CREATE TABLE b (id int);\n");
  write_file(dir + "/0002_b.down.sql", "DROP TABLE b;\n");
  write_file(dir + "/0003_c.sql", "CREATE TABLE c (id int);\n");
  db.connect()->exec("CREATE TABLE a (id int); CREATE TABLE b (id int);");

  EXPECT_EQ(run_preflight(on(db, dir, {"migrate", "baseline", "7"})).exit_code, 2);
  auto baseline = run_preflight(on(db, dir, {"migrate", "baseline", "2"}));
  ASSERT_EQ(baseline.exit_code, 0) << baseline.err;
  EXPECT_EQ(baseline.out, "record     1 a\nrecord     2 b\nBaseline: 2 migrations up to version 2 "
                          "recorded as applied without "
                          "running them.\n");
  EXPECT_EQ(
      db.scalar(
          "SELECT string_agg(format('%s|%s|%s|%s|%s', version, description, success, "
          "encode(checksum, 'hex'), execution_time), ';' ORDER BY version) FROM _sqlx_migrations"),
      fmt::format("1|a|t|{}|0;2|b|t|{}|0", hex_of_file(dir + "/0001_a.sql"),
                  hex_of_file(dir + "/0002_b.up.sql")));

  auto again = run_preflight(on(db, dir, {"migrate", "baseline", "2"}));
  EXPECT_EQ(again.exit_code, 3);
  EXPECT_EQ(
      again.err,
      "preflight: error: baseline refused: the history already has 2 rows (newest: version 2)\n"
      "hint: baseline only starts a history; use `preflight migrate status` to see what is "
      "recorded\n");

  auto up = run_preflight(on(db, dir, {"migrate", "up"}));
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(
      db.scalar("SELECT string_agg(version::text, ',' ORDER BY version) FROM _sqlx_migrations"),
      "1,2,3");
  EXPECT_EQ(run_preflight(on(db, dir, {"migrate", "verify"})).exit_code, 0);
}

TEST(MigrateNew, FollowsSequentialNumbering) {
  auto dir = make_temp_dir();
  write_file(dir + "/0001_a.sql", "SELECT 1;\n");
  write_file(dir + "/0003_b.sql", "SELECT 1;\n");
  auto simple = run_preflight({"migrate", "new", "Add Users' Email!", "--source", dir});
  EXPECT_EQ(simple.exit_code, 0) << simple.err;
  EXPECT_EQ(simple.out, "created " + dir + "/0004_add_users_email.sql\n");
  EXPECT_EQ(read_text(dir + "/0004_add_users_email.sql"),
            "-- add_users_email: write the migration's SQL here\n");

  auto pair = run_preflight({"migrate", "new", "drop_b", "--reversible", "--source", dir});
  EXPECT_EQ(pair.out,
            "created " + dir + "/0005_drop_b.up.sql\ncreated " + dir + "/0005_drop_b.down.sql\n");
  EXPECT_TRUE(fs::exists(dir + "/0005_drop_b.down.sql"));
}

TEST(MigrateNew, TimestampsInAnEmptyFolderAndNeverOverwrites) {
  auto dir = make_temp_dir() + "/fresh";
  auto created = run_preflight({"migrate", "new", "init", "--source", dir});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  ASSERT_EQ(created.out.size(), std::string("created " + dir + "/20260101000000_init.sql\n").size())
      << created.out;
  EXPECT_EQ(created.out.rfind("created " + dir + "/20", 0), 0U) << created.out;

  // Something that is not a regular file already has the name the next migration would get.
  auto seq = make_temp_dir();
  write_file(seq + "/0001_a.sql", "SELECT 1;\n");
  fs::create_directories(seq + "/0002_b.sql");
  auto refused = run_preflight({"migrate", "new", "b", "--source", seq});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_EQ(refused.err, "preflight: error: " + seq +
                             "/0002_b.sql: file already exists; not overwritten\n"
                             "hint: choose another name\n");
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

// Another tool's table under sqlx's name: said in terms of the history, not as a raw SQL error.
TEST(MigrateSqlxCompat, HistoryTableOfAnotherShapeIsAHistoryProblem) {
  TestDatabase db;
  auto dir = make_temp_dir();
  write_file(dir + "/0001_a.sql", "CREATE TABLE a (id int);\n");
  db.connect()->exec("CREATE TABLE _sqlx_migrations (version bigint PRIMARY KEY, description text, "
                     "applied_at timestamptz)");
  for (auto command : {"status", "verify", "up"}) {
    auto r = run_preflight(on(db, dir, {"migrate", command}));
    EXPECT_EQ(r.exit_code, 3) << command << ": " << r.err;
    EXPECT_NE(r.err.find("preflight: error: history table _sqlx_migrations does not have sqlx's "
                         "shape: it has no columns installed_on, success, checksum, "
                         "execution_time\n"),
              std::string::npos)
        << command << ": " << r.err;
  }
  EXPECT_EQ(db.scalar("SELECT to_regclass('a') IS NULL"), "t");
}

TEST(MigrateConcurrency, EightConcurrentRunsApplyEachMigrationOnce) {
  TestDatabase db;
  auto dir = make_temp_dir();
  for (int v = 1; v <= 6; ++v) {
    write_file(dir + fmt::format("/{:04}_m{}.sql", v, v),
               fmt::format("CREATE TABLE m{} (id int);\nSELECT pg_sleep(0.05);\n", v));
  }
  std::vector<std::thread> threads;
  std::vector<int> codes(8, -1);
  std::vector<std::string> errors(8);
  for (std::size_t i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      auto r = run_preflight(on(db, dir, {"migrate", "up"}));
      codes[i] = r.exit_code;
      errors[i] = r.err;
    });
  }
  for (auto& t : threads) t.join();
  for (std::size_t i = 0; i < 8; ++i) EXPECT_EQ(codes[i], 0) << errors[i];
  EXPECT_EQ(
      db.scalar("SELECT string_agg(version::text, ',' ORDER BY version) FROM _sqlx_migrations"),
      "1,2,3,4,5,6");
}

TEST(MigrateConcurrency, WaitingRunDoesNotDeadlockWithConcurrentIndexBuild) {
  TestDatabase db;
  auto dir = make_temp_dir();
  write_file(dir + "/0001_t.sql", "CREATE TABLE t (id int, v int);\nINSERT INTO t SELECT g, g % 97 "
                                  "FROM generate_series(1, 200000) g;\n");
  write_file(
      dir + "/0002_index.sql",
      "-- no-transaction\nSELECT pg_sleep(2);\nCREATE INDEX CONCURRENTLY t_v_idx ON t (v);\n");
  auto log_a = make_temp_dir() + "/a.log";
  auto log_b = make_temp_dir() + "/b.log";
  pid_t a = spawn_preflight(on(db, dir, {"migrate", "up"}), log_a);
  // B starts while A holds the migration lock and sleeps before its CREATE INDEX CONCURRENTLY.
  ASSERT_TRUE(eventually([&] { return running(db, "SELECT pg_sleep(2)"); }));
  pid_t b = spawn_preflight(on(db, dir, {"migrate", "up"}), log_b);
  EXPECT_EQ(wait_exit(a), 0) << read_text(log_a);
  EXPECT_EQ(wait_exit(b), 0) << read_text(log_b);
  EXPECT_NE(
      read_text(log_b).find("preflight: warning: waiting for the migration lock held by pid "),
      std::string::npos)
      << read_text(log_b);
  EXPECT_EQ(db.scalar("SELECT string_agg(version || ':' || success, ',' ORDER BY version) FROM "
                      "_sqlx_migrations"),
            "1:true,2:true");
  EXPECT_EQ(db.scalar("SELECT indisvalid FROM pg_index WHERE indexrelid = 't_v_idx'::regclass"),
            "t");
}

TEST(MigrateConcurrency, LockWaitGivesUpNamingTheHolder) {
  TestDatabase db;
  auto dir = make_temp_dir();
  write_file(dir + "/0001_a.sql", "CREATE TABLE a (id int);\n");
  auto holder = db.connect();
  holder->exec("SET application_name = 'other migrator'");
  holder->exec(fmt::format("SELECT pg_advisory_lock({})",
                           preflight::migrate::migration_lock_key(db.name())));
  auto r = run_preflight(on(db, dir, {"migrate", "up", "--lock-wait", "0.5"}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(fmt::format(
                "preflight: error: gave up waiting 0.5 s for the migration lock held by pid {} "
                "(application_name \"other migrator\", connected since ",
                holder->backend_pid())),
            std::string::npos)
      << r.err;
  EXPECT_EQ(db.scalar("SELECT to_regclass('a') IS NULL"), "t");
}

// As preflight.toml's lock_wait: a number of seconds from 0 to 1e9; checked before connecting.
TEST(MigrateConcurrency, LockWaitThatIsNotADurationIsAUsageError) {
  for (const char* wait : {"-1", "nan", "inf", "1e300", "soon"}) {
    auto r = run_preflight({"migrate", "up", "--lock-wait", wait, "--database-url",
                            "host=/nonexistent", "--source", bundled_migrations()});
    EXPECT_EQ(r.exit_code, 2) << wait << ": " << r.err;
    EXPECT_NE(r.err.find(std::string("--lock-wait: ") + wait + " is not a number from 0 to 1e+09"),
              std::string::npos)
        << wait << ": " << r.err;
  }
}

TEST(MigrateFailure, KilledRunLeavesNoHistoryRowAndARerunSucceeds) {
  TestDatabase db;
  auto dir = make_temp_dir();
  write_file(dir + "/0001_a.sql", "CREATE TABLE a (id int);\n");
  write_file(dir + "/0002_slow.sql", "CREATE TABLE slow (id int);\nSELECT pg_sleep(3);\n");
  pid_t pid = spawn_preflight(on(db, dir, {"migrate", "up"}), make_temp_dir() + "/log");
  ASSERT_TRUE(eventually([&] { return running(db, "SELECT pg_sleep(3)"); }));
  kill(pid, SIGKILL);
  EXPECT_EQ(wait_exit(pid), 128 + SIGKILL);
  // The server ends the backend once pg_sleep returns and it finds the client gone.
  ASSERT_TRUE(eventually([&] {
    return db.scalar("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'preflight "
                     "migrate'") == "0";
  }));
  EXPECT_EQ(db.scalar("SELECT string_agg(version::text, ',') FROM _sqlx_migrations"), "1");
  EXPECT_EQ(db.scalar("SELECT to_regclass('slow') IS NULL"), "t");
  auto rerun = run_preflight(on(db, dir, {"migrate", "up"}));
  EXPECT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_EQ(
      db.scalar("SELECT string_agg(version::text, ',' ORDER BY version) FROM _sqlx_migrations"),
      "1,2");
}

// Ctrl-C / SIGTERM cancel the statement on the server, as psql does: an interrupted ALTER
// TABLE must not hold its ACCESS EXCLUSIVE lock until its statement would have ended.
TEST(MigrateFailure, InterruptedRunCancelsTheStatementOnTheServer) {
  for (const int sig : {SIGINT, SIGTERM}) {
    TestDatabase db;
    auto dir = make_temp_dir();
    write_file(dir + "/0001_a.sql", "CREATE TABLE a (id int);\n");
    write_file(dir + "/0002_slow.sql", "ALTER TABLE a ADD COLUMN j int;\nSELECT pg_sleep(60);\n");
    const auto log = make_temp_dir() + "/log";
    pid_t pid = spawn_preflight(on(db, dir, {"migrate", "up"}), log);
    ASSERT_TRUE(eventually([&] { return running(db, "SELECT pg_sleep(60)"); }));
    kill(pid, sig);
    EXPECT_EQ(wait_exit(pid), 128 + sig);
    EXPECT_NE(read_text(log).find("preflight: interrupted: running statements were cancelled"),
              std::string::npos)
        << read_text(log);
    // Well before pg_sleep(60) would end: the backend is gone and the table readable.
    ASSERT_TRUE(eventually([&] {
      return db.scalar("SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)'") ==
             "0";
    }));
    EXPECT_EQ(db.scalar("SELECT count(*) FROM a"), "0");
    EXPECT_EQ(db.scalar("SELECT string_agg(version::text, ',') FROM _sqlx_migrations"), "1");
  }
}

TEST(MigrateFailure, TimeoutPostgresWouldRefuseIsBadUsageAndRunsNothing) {
  TestDatabase db;
  auto dir = make_temp_dir();
  write_file(dir + "/0001_a.sql", "CREATE TABLE a (id int);\n");
  for (const auto& flag : {"--lock-timeout", "--statement-timeout"}) {
    auto r = run_preflight(on(db, dir, {"migrate", "up", flag, "5 parsecs"}));
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(std::string(flag) + " 5 parsecs: not a timeout"), std::string::npos)
        << r.err;
  }
  EXPECT_EQ(db.scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), "0");
}

TEST(MigrateFailure, LockTimeoutNamesTheBlockingSession) {
  TestDatabase db;
  auto dir = make_temp_dir();
  write_file(dir + "/0001_a.sql", "CREATE TABLE a (id int);\n");
  ASSERT_EQ(run_preflight(on(db, dir, {"migrate", "up"})).exit_code, 0);
  write_file(dir + "/0002_add_x.sql", "ALTER TABLE a ADD COLUMN x int;\n");
  auto blocker = db.connect();
  blocker->exec("SET application_name = 'report job'");
  blocker->exec("BEGIN");
  blocker->exec("LOCK TABLE a IN ACCESS SHARE MODE");
  auto r = run_preflight(on(db, dir, {"migrate", "up", "--lock-timeout", "1s"}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            fmt::format(
                "preflight: error: {}/0002_add_x.sql:1:1: migration 2 (add x) failed: ERROR 55P03: "
                "canceling statement due to lock timeout\n"
                "hint: the lock is held by:\n"
                "pid {} (application_name \"report job\", state \"idle in transaction\"): LOCK "
                "TABLE a IN ACCESS SHARE MODE\n"
                "migration 2 was rolled back; 0 earlier migrations of this run stay applied\n",
                dir, blocker->backend_pid()));
  blocker->exec("ROLLBACK");
}

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

TEST(MigrateConnection, ConnectionStringThatDoesNotParseIsBadUsage) {
  auto dir = make_temp_dir();
  write_file(dir + "/0001_a.sql", "CREATE TABLE a (id int);\n");
  for (const std::string url : {"bogus=1", "postgresql://u@[::1", "POSTGRESQL://u@/db?host=/tmp"}) {
    auto r = run_preflight({"migrate", "up", "--database-url", url, "--source", dir});
    EXPECT_EQ(r.exit_code, 2) << url << r.err;
    EXPECT_NE(r.err.find("preflight: error: the connection string does not parse: "),
              std::string::npos)
        << r.err;
  }
  // Values libpq checks only when connecting, before any network activity.
  for (const std::string url : {"host=/nonexistent sslmode=bogus", "host=/nonexistent port=abc"}) {
    auto r = run_preflight({"migrate", "up", "--database-url", url, "--source", dir});
    EXPECT_EQ(r.exit_code, 2) << url << r.err;
    EXPECT_NE(r.err.find("preflight: error: the connection string has an invalid value: invalid "),
              std::string::npos)
        << r.err;
  }
}

TEST(MigrateConnection, DatabaseUrlFromDotEnv) {
  TestDatabase db;
  auto cwd = make_temp_dir();
  write_file(cwd + "/migrations/0001_a.sql", "CREATE TABLE a (id int);\n");
  write_file(cwd + "/.env", "# local\nDATABASE_URL=\"" + db.conninfo() + "\"\n");
  auto r = run_preflight({"migrate", "up"}, cwd);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(db.scalar("SELECT count(*) FROM _sqlx_migrations"), "1");
}

TEST(MigrateConfig, SchemaQualifiedHistoryTable) {
  TestDatabase db;
  db.connect()->exec("CREATE SCHEMA ops");
  auto cwd = make_temp_dir();
  write_file(cwd + "/db/0001_a.sql", "CREATE TABLE a (id int);\n");
  write_file(cwd + "/preflight.toml", "migrations = \"db\"\nhistory_table = \"ops.history\"\n");
  auto up = run_preflight({"migrate", "up", "--database-url", db.conninfo()}, cwd);
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ops.history WHERE success"), "1");
  EXPECT_EQ(db.scalar("SELECT to_regclass('public._sqlx_migrations') IS NULL"), "t");
  auto status = run_preflight(
      {"migrate", "status", "--format", "json", "--database-url", db.conninfo()}, cwd);
  EXPECT_EQ(nlohmann::json::parse(status.out)["migrations"][0]["state"], "applied") << status.out;
  EXPECT_EQ(run_preflight({"migrate", "verify", "--database-url", db.conninfo()}, cwd).exit_code,
            0);
}

// The history table's schema is fixed when the run starts: a migration may change search_path.
TEST(MigrateConfig, MigrationThatChangesSearchPathIsRecordedInTheHistory) {
  TestDatabase db;
  auto dir = make_temp_dir();
  write_file(dir + "/0001_s.sql",
             "CREATE SCHEMA app;\nSET search_path = app;\nCREATE TABLE x (id int);\n");
  write_file(dir + "/0002_t.sql", "CREATE TABLE y (id int);\n");
  auto up = run_preflight(on(db, dir, {"migrate", "up"}));
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(db.scalar("SELECT string_agg(version::text, ',' ORDER BY version) FROM "
                      "public._sqlx_migrations WHERE success"),
            "1,2");
  EXPECT_EQ(
      db.scalar("SELECT to_regclass('app.x') IS NOT NULL AND to_regclass('app.y') IS NOT NULL "
                "AND to_regclass('app._sqlx_migrations') IS NULL"),
      "t");
  auto down_dry = run_preflight(on(db, dir, {"migrate", "status", "--exit-code"}));
  EXPECT_EQ(down_dry.exit_code, 0) << down_dry.out << down_dry.err;
}

TEST(MigrateConfig, HistoryTableInASchemaThatDoesNotExistIsRefusedAlsoInADryRun) {
  TestDatabase db;
  auto cwd = make_temp_dir();
  write_file(cwd + "/db/0001_a.sql", "CREATE TABLE a (id int);\n");
  write_file(cwd + "/db/0002_b.sql", "CREATE TABLE b (id int);\n");
  write_file(cwd + "/preflight.toml", "migrations = \"db\"\nhistory_table = \"ops.history\"\n");
  const std::string expected =
      "preflight: error: history table ops.history: schema \"ops\" does not exist\n"
      "hint: create it first (CREATE SCHEMA \"ops\"), or set history_table in preflight.toml to a "
      "table in an existing schema\n";
  for (auto args : {std::vector<std::string>{"migrate", "baseline", "2", "--dry-run"},
                    std::vector<std::string>{"migrate", "baseline", "2"},
                    std::vector<std::string>{"migrate", "up", "--dry-run"},
                    std::vector<std::string>{"migrate", "up"}}) {
    args.insert(args.end(), {"--database-url", db.conninfo()});
    auto r = run_preflight(args, cwd);
    EXPECT_EQ(r.exit_code, 2) << args[1] << ": " << r.err;
    EXPECT_EQ(r.err, expected) << args[1];
  }
  EXPECT_EQ(db.scalar("SELECT to_regclass('a') IS NULL AND to_regnamespace('ops') IS NULL"), "t");
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

TEST(BadConfig, AFolderIsNotAnEmptyConfiguration) {
  auto dir = make_temp_dir();
  auto r = run_preflight(
      {"migrate", "status", "--config", dir, "--database-url", "host=/nonexistent"}, dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "preflight: error: " + dir + ": is a folder, not a configuration file\n");
}

INSTANTIATE_TEST_SUITE_P(Cases, BadConfigCase, ::testing::ValuesIn(case_names("config", ".toml")),
                         CaseName());

std::vector<std::string> cluster_folders() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator("/tmp")) {
    if (e.path().filename().string().rfind("preflight-cluster-", 0) == 0)
      out.push_back(e.path().string());
  }
  return out;
}

TEST(EphemeralCluster, SigtermStopsTheServerAndRemovesItsFolder) {
  auto dir = make_temp_dir();
  write_file(dir + "/0001_slow.sql", "SELECT pg_sleep(30);\n");
  pid_t pid =
      spawn_preflight({"migrate", "up", "--ephemeral", "--source", dir}, make_temp_dir() + "/log");
  std::string folder;
  ASSERT_TRUE(eventually([&] {
    for (const auto& f : cluster_folders()) {
      if (read_text(f + "/owner.pid") == std::to_string(pid) + "\n" &&
          fs::exists(f + "/data/postmaster.pid")) {
        folder = f;
        return true;
      }
    }
    return false;
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500)); // into the migration's pg_sleep
  const auto server_pid = std::stoi(read_text(folder + "/data/postmaster.pid"));
  kill(pid, SIGTERM);
  EXPECT_EQ(wait_exit(pid), 128 + SIGTERM);
  EXPECT_FALSE(fs::exists(folder));
  EXPECT_TRUE(eventually([&] { return kill(server_pid, 0) != 0; }, 5));
}

TEST(EphemeralCluster, FolderOfAKilledRunIsRemovedAtTheNextStart) {
  pid_t dead = fork();
  if (dead == 0) _exit(0);
  waitpid(dead, nullptr, 0);
  const std::string folder = "/tmp/preflight-cluster-stale" + std::to_string(dead);
  write_file(folder + "/owner.pid", std::to_string(dead) + "\n");
  write_file(folder + "/data/PG_VERSION", "15\n");
  auto r = run_preflight({"migrate", "status", "--ephemeral", "--source", bundled_migrations()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(fs::exists(folder));
}

// The machine's set-up, not a bug: exit 4 with what to check, never 70 "a bug in preflight".
TEST(EphemeralCluster, SetUpProblemsAreExitFourAndARelativeTmpdirWorks) {
  auto bad = run_preflight({"migrate", "status", "--ephemeral", "--source", bundled_migrations()},
                           {}, {"PREFLIGHT_PG_BINDIR=/nonexistent"});
  EXPECT_EQ(bad.exit_code, 4) << bad.err;
  EXPECT_NE(bad.err.find("preflight: error: throwaway cluster: "), std::string::npos) << bad.err;
  EXPECT_EQ(bad.err.find("bug"), std::string::npos) << bad.err;

  const auto cwd = make_temp_dir();
  ::chmod(cwd.c_str(), 0755); // the server user must reach the cluster folder below it
  fs::create_directories(cwd + "/rel");
  ::chmod((cwd + "/rel").c_str(), 01777);
  auto relative = run_preflight(
      {"migrate", "status", "--ephemeral", "--source", bundled_migrations()}, cwd, {"TMPDIR=rel"});
  EXPECT_EQ(relative.exit_code, 0) << relative.err;
}

// A signal at any moment of the cluster's start — also while the template is copied, before
// the server runs — removes the cluster's folder.
TEST(EphemeralCluster, ASignalDuringStartLeavesNoFolder) {
  const auto tmp = make_temp_dir();
  ::chmod(tmp.c_str(), 01777);
  const auto log = make_temp_dir() + "/log";
  for (int delay_ms = 0; delay_ms <= 400; delay_ms += 20) {
    pid_t pid = spawn_preflight(
        {"migrate", "status", "--ephemeral", "--source", bundled_migrations()}, log, false,
        {"TMPDIR=" + tmp});
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    kill(pid, SIGTERM);
    wait_exit(pid);
    for (const auto& entry : fs::directory_iterator(tmp)) {
      EXPECT_EQ(entry.path().filename().string().rfind("preflight-cluster-", 0), std::string::npos)
          << "left after a signal at " << delay_ms << " ms: " << entry.path();
    }
  }
}

// `nohup preflight …`: a hangup ignored at start stays ignored, also with a throwaway cluster.
TEST(EphemeralCluster, AHangupIgnoredAtStartStaysIgnored) {
  auto dir = make_temp_dir();
  write_file(dir + "/0001_slow.sql", "SELECT pg_sleep(2);\n");
  const auto log = make_temp_dir() + "/log";
  pid_t pid = spawn_preflight({"--ephemeral", "migrate", "up", "--source", dir}, log, true);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  kill(pid, SIGHUP);
  EXPECT_EQ(wait_exit(pid), 0) << read_text(log);
}

// The temporary folder is shared: a "stale cluster" another user made (or a PID file naming a
// process that is not its postmaster, e.g. a reused PID) must not make preflight, as root,
// signal that process or delete that folder.
TEST(EphemeralCluster, StaleFoldersOfOthersAndPidsOfOtherProcessesAreLeftAlone) {
  pid_t dead = fork();
  if (dead == 0) _exit(0);
  waitpid(dead, nullptr, 0);
  pid_t victim = fork();
  if (victim == 0) {
    execl("/bin/sleep", "sleep", "60", static_cast<char*>(nullptr));
    _exit(127);
  }
  const auto tmp = make_temp_dir();
  ::chmod(tmp.c_str(), 01777);
  const std::string others = tmp + "/preflight-cluster-others";
  const std::string ours = tmp + "/preflight-cluster-ours";
  for (const auto& folder : {others, ours}) {
    write_file(folder + "/owner.pid", std::to_string(dead) + "\n");
    write_file(folder + "/data/postmaster.pid", std::to_string(victim) + "\n");
  }
  struct passwd* nobody = getpwnam("nobody");
  ASSERT_NE(nobody, nullptr);
  ASSERT_EQ(::chown(others.c_str(), nobody->pw_uid, nobody->pw_gid), 0);
  auto r = run_preflight({"migrate", "status", "--ephemeral", "--source", bundled_migrations()}, {},
                         {"TMPDIR=" + tmp});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(others));
  EXPECT_FALSE(fs::exists(ours)); // ours, and its owner is dead: removed
  // … but the process its PID file names was not signalled: it is still running.
  EXPECT_EQ(waitpid(victim, nullptr, WNOHANG), 0);
  kill(victim, SIGKILL);
  waitpid(victim, nullptr, 0);
}

} // namespace
