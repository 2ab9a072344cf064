// `preflight migrate diff` and `check` kind "drift" end to end: the real binary against a real
// PostgreSQL. Each case under tests/cases/drift/*.case migrates a fresh database with the fixture
// folder tests/cases/drift/migrations, applies the case's SQL by hand, and expects exactly the
// case's stdout and exit code. Set PREFLIGHT_WRITE_CASES=1 to write what the binary printed into
// the case files instead (then read the changes before committing them).

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/case_files.h"
#include "support/test_cluster.h"

using namespace preflight::testing;

namespace {

std::string fixture() {
  return (std::filesystem::path(PREFLIGHT_CASES_DIR) / "drift" / "migrations").string();
}

void migrate(const TestDatabase& db) {
  auto up =
      run_preflight({"migrate", "up", "--database-url", db.conninfo(), "--source", fixture()});
  ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
}

CommandResult diff(const TestDatabase& db, const std::vector<std::string>& args) {
  std::vector<std::string> all{"migrate",     "diff",     "--database-url",
                               db.conninfo(), "--source", fixture()};
  all.insert(all.end(), args.begin(), args.end());
  return run_preflight(all);
}

struct DriftCase {
  std::string header; // the # lines
  std::vector<std::string> args;
  std::string sql;
  int exit_code = -1;
  std::string stdout_text;
  bool has_expectation = false;
};

const std::string k_marker = "== stdout (exit ";

DriftCase parse_case(const std::string& text) {
  DriftCase c;
  std::istringstream in(text);
  std::string line;
  bool expectation = false;
  while (std::getline(in, line)) {
    if (expectation) {
      c.stdout_text += line + "\n";
    } else if (line.starts_with(k_marker)) {
      expectation = c.has_expectation = true;
      c.exit_code = std::atoi(line.c_str() + k_marker.size());
    } else if (line.starts_with("#")) {
      c.header += line + "\n";
      if (line.starts_with("# args:")) {
        std::istringstream words(line.substr(7));
        for (std::string w; words >> w;) c.args.push_back(w);
      }
    } else {
      c.sql += line + "\n";
    }
  }
  return c;
}

class DriftCases : public ::testing::TestWithParam<std::string> {};

TEST_P(DriftCases, FindsTheHandChangeAndOnlyIt) {
  const auto path = case_path("drift", GetParam());
  DriftCase c = parse_case(read_text(path));
  TestDatabase db;
  migrate(db);
  if (c.sql.find_first_not_of(" \n") != std::string::npos) db.connect()->exec(c.sql);
  auto r = diff(db, c.args);
  if (std::getenv("PREFLIGHT_WRITE_CASES")) {
    std::ofstream out(path, std::ios::binary);
    out << c.header << c.sql << k_marker << r.exit_code << ") ==\n" << r.out;
    GTEST_SKIP() << "wrote " << path;
  }
  ASSERT_TRUE(c.has_expectation) << path << " has no `== stdout (exit N) ==` section";
  EXPECT_EQ(r.out, c.stdout_text) << r.err;
  EXPECT_EQ(r.exit_code, c.exit_code) << r.err;
}

INSTANTIATE_TEST_SUITE_P(Cases, DriftCases, ::testing::ValuesIn(case_names("drift", ".case")),
                         CaseName());

// The case the issue is about: a CREATE INDEX CONCURRENTLY cancelled for real (pg_cancel_backend
// while it waits for an older snapshot) leaves an INVALID index under the expected name.
TEST(DriftCli, IndexLeftInvalidByACancelledConcurrentBuildIsFound) {
  TestDatabase db;
  migrate(db);
  db.connect()->exec("DROP INDEX app.sessions_status_idx");
  // A transaction whose snapshot predates the build: CREATE INDEX CONCURRENTLY waits for it after
  // the index is built and marked ready, before it marks it valid.
  auto holder = db.connect();
  holder->exec("BEGIN ISOLATION LEVEL REPEATABLE READ");
  holder->exec("SELECT count(*) FROM app.users");
  auto builder = db.connect();
  const std::string builder_pid = std::to_string(builder->backend_pid());
  std::optional<preflight::pg::SqlFailure> build_failure;
  std::thread build([&] {
    build_failure =
        builder->try_exec("CREATE INDEX CONCURRENTLY sessions_status_idx ON app.sessions (status)")
            .failure;
  });
  auto watcher = db.connect();
  bool waiting = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (int i = 0; i < 600 && !waiting && std::chrono::steady_clock::now() < deadline; ++i) {
    auto r = watcher->exec_params("SELECT wait_event = 'virtualxid' FROM pg_stat_activity "
                                  "WHERE pid = $1",
                                  {builder_pid});
    waiting = r.rows() == 1 && r.get_bool(0, 0);
    if (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  watcher->exec_params("SELECT pg_cancel_backend($1::int)", {builder_pid});
  build.join();
  holder->exec("ROLLBACK");
  ASSERT_TRUE(waiting) << "the build never waited for the older snapshot";
  ASSERT_TRUE(build_failure.has_value());
  EXPECT_EQ(build_failure->sqlstate, "57014") << build_failure->message;
  ASSERT_EQ(db.scalar("SELECT indisvalid::text || indisready::text FROM pg_index "
                      "WHERE indexrelid = 'app.sessions_status_idx'::regclass"),
            "falsetrue");

  auto r = diff(db, {"--sql"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out,
            "~ index app.sessions_status_idx: valid differs\n"
            "    expected: valid\n"
            "    actual:   INVALID\n"
            "    a CREATE INDEX CONCURRENTLY or REINDEX CONCURRENTLY failed or was cancelled: "
            "queries do not use the index, writes still maintain it\n"
            "1 difference from migrations up to version 3 (0 missing, 0 extra, 1 changed)\n"
            "\n"
            "-- no-transaction\n"
            "SET lock_timeout = '5s';\n"
            "-- index app.sessions_status_idx valid\n"
            "REINDEX INDEX CONCURRENTLY app.sessions_status_idx;\n"
            "-- preflight lint on these statements: no findings in 1 file\n")
      << r.err;
}

TEST(DriftCli, TheLiveDatabaseIsOnlyRead) {
  TestDatabase db;
  migrate(db);
  db.connect()->exec("CREATE INDEX sessions_note_idx ON app.sessions (note)");
  const std::string snapshot_sql =
      "SELECT md5(string_agg(c.relname || c.relkind::text || c.relfilenode::text, ',' ORDER BY "
      "c.relname)) "
      "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'app'";
  const auto before = db.scalar(snapshot_sql);
  const auto history = db.scalar("SELECT count(*) FROM _sqlx_migrations");
  EXPECT_EQ(diff(db, {"--sql"}).exit_code, 1);
  EXPECT_EQ(db.scalar(snapshot_sql), before);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM _sqlx_migrations"), history);
  EXPECT_EQ(db.scalar("SELECT to_regclass('app.sessions_note_idx') IS NOT NULL"), "t");
}

TEST(DriftCli, JsonNamesEachDifference) {
  TestDatabase db;
  migrate(db);
  db.connect()->exec("ALTER TABLE app.sessions ALTER COLUMN minutes SET DEFAULT 50");
  auto r = diff(db, {"--format", "json", "--sql"});
  ASSERT_EQ(r.exit_code, 1) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["schema"], "preflight.drift");
  EXPECT_EQ(j["drift"], true);
  EXPECT_EQ(j["migrations_version"], 3);
  ASSERT_EQ(j["differences"].size(), 1U);
  const auto& d = j["differences"][0];
  EXPECT_EQ(d["kind"], "column");
  EXPECT_EQ(d["object"], "app.sessions.minutes");
  EXPECT_EQ(d["change"], "changed");
  EXPECT_EQ(d["aspect"], "default");
  EXPECT_EQ(d["expected"], "25");
  EXPECT_EQ(d["actual"], "50");
  EXPECT_EQ(d["sql"], "ALTER TABLE app.sessions ALTER COLUMN minutes SET DEFAULT 25;");
  EXPECT_TRUE(j["lint"].is_array());
  EXPECT_EQ(j.at("timings_ms").size(), 5U);
}

TEST(DriftCli, ToAnEarlierVersionExpectsLess) {
  TestDatabase db;
  migrate(db);
  auto r = diff(db, {"--to", "2"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out,
            "+ index app.sessions_status_idx: not in the migrations\n"
            "    actual:   CREATE INDEX sessions_status_idx ON app.sessions USING btree "
            "(status)\n"
            "    created in the database by hand (no migration creates it)\n"
            "1 difference from migrations up to version 2 (0 missing, 1 extra, 0 changed)\n");
}

TEST(DriftCli, BadArgumentsAreExitTwoBeforeAnythingRuns) {
  TestDatabase db;
  migrate(db);
  struct Bad {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Bad> bad{
      {{"--to", "abc"},
       "preflight: error: --to abc: not a version (a number, or a version as the migration "
       "files write it)\n"},
      {{"--to", "99"}, "preflight: error: --to 99: no migration has this version\n"},
      {{"--to", "-1"}, "preflight: error: --to -1: no migration has this version\n"},
      {{"--format", "xml"}, "--format: xml not in {text,json,md,github,junit}"},
      {{"--format", "junit"}, "preflight: error: --format junit reports one entry per target"},
      {{"--ignore", "app.[x"},
       "preflight: error: --ignore app.[x: `[` at character 5 is never closed by `]`\n"},
      {{"--ignore", ""}, "preflight: error: --ignore: the pattern is empty\n"},
  };
  for (const auto& b : bad) {
    auto r = diff(db, b.args);
    EXPECT_EQ(r.exit_code, 2) << b.args[0] << " " << b.args[1] << "\n" << r.err;
    EXPECT_NE(r.err.find(b.message), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
  }
}

TEST(DriftCli, HistoryThatDoesNotMatchTheFilesIsExitThree) {
  TestDatabase db;
  migrate(db);
  db.connect()->exec("UPDATE _sqlx_migrations SET checksum = '\\x00' WHERE version = 2");
  auto r = diff(db, {});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("migration 2 (logic) was edited after it was applied"), std::string::npos)
      << r.err;
}

// A folder of another tool's layout keeps its history in that tool's table: `migrate diff` and
// `check` read the version from it, and leave it out of the comparison.
TEST(DriftCli, AnotherToolsHistoryIsReadAndLeftOutOfTheComparison) {
  const auto folder = make_temp_dir();
  const std::vector<std::string> names{"schema", "logic", "concurrent_index"};
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto text =
        read_text(fixture() + "/000" + std::to_string(i + 1) + "_" + names[i] + ".sql");
    write_file(folder + "/" + std::to_string(i + 1) + "_" + names[i] + ".up.sql", text);
    // Titles that differ from the up file's: golang-migrate's, not sqlx's, naming.
    write_file(folder + "/" + std::to_string(i + 1) + "_undo_" + names[i] + ".down.sql", "");
  }
  TestDatabase db;
  auto up = run_preflight({"migrate", "up", "--database-url", db.conninfo(), "--source", folder});
  ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
  ASSERT_EQ(db.scalar("SELECT version || ' ' || dirty FROM schema_migrations"), "3 false");
  ASSERT_EQ(db.scalar("SELECT to_regclass('_sqlx_migrations') IS NULL"), "t");
  const std::vector<std::string> diff_args{"migrate",     "diff",     "--database-url",
                                           db.conninfo(), "--source", folder};
  auto same = run_preflight(diff_args);
  EXPECT_EQ(same.exit_code, 0) << same.out << same.err;
  EXPECT_EQ(same.out, "no drift: the database matches migrations up to version 3\n") << same.err;

  auto dir = make_temp_dir();
  write_file(dir + "/checks.toml", "[[check]]\nname = \"at 3\"\nkind = \"migration\"\n"
                                   "version = 3\nnewest = true\n\n[[check]]\nname = \"as "
                                   "migrated\"\nkind = \"drift\"\n");
  const std::vector<std::string> check_args{"check",       dir + "/checks.toml", "--database-url",
                                            db.conninfo(), "--source",           folder};
  auto passed = run_preflight(check_args);
  EXPECT_EQ(passed.exit_code, 0) << passed.out << passed.err;

  db.connect()->exec("ALTER TABLE app.sessions ALTER COLUMN minutes SET DEFAULT 50");
  auto changed = run_preflight(diff_args);
  EXPECT_EQ(changed.exit_code, 1) << changed.err;
  EXPECT_NE(changed.out.find("~ column app.sessions.minutes: default"), std::string::npos)
      << changed.out;
  EXPECT_NE(changed.out.find("1 difference from migrations up to version 3 (0 missing, 0 extra, "
                             "1 changed)\n"),
            std::string::npos)
      << changed.out;
  auto failed = run_preflight(check_args);
  EXPECT_EQ(failed.exit_code, 1) << failed.out << failed.err;
  EXPECT_NE(failed.out.find("PASS  at 3"), std::string::npos) << failed.out;
  EXPECT_NE(failed.out.find("FAIL  as migrated"), std::string::npos) << failed.out;
}

TEST(DriftCli, CheckKindDriftPassesThenFails) {
  TestDatabase db;
  migrate(db);
  auto dir = make_temp_dir();
  write_file(dir + "/checks.toml", "[[check]]\nname = \"schema as migrated\"\nkind = \"drift\"\n"
                                   "ignore = [\"app.tmp_*\"]\n");
  auto check = [&] {
    return run_preflight(
        {"check", dir + "/checks.toml", "--database-url", db.conninfo(), "--source", fixture()});
  };
  auto passed = check();
  EXPECT_EQ(passed.exit_code, 0) << passed.out << passed.err;
  db.connect()->exec("CREATE TABLE app.tmp_import (id int); "
                     "ALTER TABLE app.sessions ALTER COLUMN user_id DROP NOT NULL");
  auto failed = check();
  EXPECT_EQ(failed.exit_code, 1) << failed.out << failed.err;
  EXPECT_NE(failed.out.find("schema as migrated"), std::string::npos) << failed.out;
  EXPECT_NE(failed.out.find("1 difference"), std::string::npos) << failed.out;
  EXPECT_NE(failed.out.find("column app.sessions.user_id: not null"), std::string::npos)
      << failed.out;
  EXPECT_EQ(failed.out.find("tmp_import"), std::string::npos) << failed.out;

  write_file(dir + "/bad.toml", "[[check]]\nname = \"d\"\nkind = \"drift\"\ntables = 1\n");
  auto bad = run_preflight(
      {"check", dir + "/bad.toml", "--database-url", db.conninfo(), "--source", fixture()});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("bad.toml:4:1: unknown key `tables` in a `drift` check"),
            std::string::npos)
      << bad.err;
}

} // namespace
