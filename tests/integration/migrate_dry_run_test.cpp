// `migrate up|down --dry-run[=transaction|copy|auto]`: the lock estimate, the choice between a
// rolled-back transaction and a throwaway copy, and that the target is never changed.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "support/test_cluster.h"

using namespace preflight::testing;
namespace fs = std::filesystem;

namespace {

std::string capture(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return out;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  pclose(pipe);
  return out;
}

// The schema as pg_dump prints it, without the random \restrict key of newer pg_dump releases.
std::string schema_dump(const std::string& conninfo) {
  auto dump = capture(
      fmt::format("{}/pg_dump --schema-only --no-owner -d '{}'", postgres_bin_dir(), conninfo));
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

std::string scalar(const std::string& conninfo, const std::string& sql) {
  auto session = preflight::pg::PgSession::connect(conninfo);
  auto r = session->exec(sql);
  return r.rows() > 0 && r.columns() > 0 ? r.get(0, 0) : "";
}

std::string history_rows(const std::string& conninfo) {
  if (scalar(conninfo, "SELECT to_regclass('_sqlx_migrations') IS NULL") == "t") return "none";
  return scalar(conninfo, "SELECT coalesce(string_agg(format('%s|%s|%s|%s|%s', version, "
                          "installed_on, success, encode(checksum, 'hex'), execution_time), "
                          "E'\\n' ORDER BY version), '') FROM _sqlx_migrations");
}

std::string copies_left(const std::string& conninfo) {
  return scalar(conninfo,
                "SELECT count(*) FROM pg_database WHERE datname LIKE 'preflight\\_copy\\_%'");
}

std::vector<std::string> on(const std::string& conninfo, const std::string& dir,
                            std::vector<std::string> args) {
  args.insert(args.end(), {"--database-url", conninfo, "--source", dir});
  return args;
}

// `count` reversible migrations, a table and an index each.
std::string generate_migrations(int count) {
  auto dir = make_temp_dir();
  for (int i = 1; i <= count; ++i) {
    const auto base = fmt::format("{}/{:04}_t{}", dir, i, i);
    write_file(base + ".up.sql", fmt::format("CREATE TABLE t{0} (id int, name text);\n"
                                             "CREATE INDEX t{0}_name ON t{0} (name);\n",
                                             i));
    write_file(base + ".down.sql", fmt::format("DROP TABLE t{};\n", i));
  }
  return dir;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

const char* const k_out_of_locks = "ERROR 53200: out of shared memory";
const char* const k_locks_hint = "hint: You might need to increase max_locks_per_transaction.";

} // namespace

// The scenario: 4,000 migrations on a server whose lock table holds 64 × 20 = 1,280
// locks. A dry run in one transaction runs out part-way; auto sees it coming and uses a copy.
TEST(MigrateDryRunModes, FourThousandMigrationsUpAndDownOnASmallLockTable) {
  auto server = start_server_with({"max_locks_per_transaction=64", "max_connections=20"});
  server->create_database("many");
  const auto db = server->conninfo("many");
  const auto dir = generate_migrations(4000);
  const auto empty_schema = schema_dump(db);

  auto start = std::chrono::steady_clock::now();
  auto dry = run_preflight(on(db, dir, {"migrate", "up", "--dry-run"}));
  std::cerr << fmt::format("[up --dry-run (copy) of 4,000 migrations: {:.1f} s]\n",
                           seconds_since(start));
  ASSERT_EQ(dry.exit_code, 0) << dry.err << dry.out.substr(0, 2000);
  EXPECT_EQ(dry.out.rfind("Dry run mode: copy: the plan needs about 16,064 locks in one "
                          "transaction; the server's lock table has room for about ",
                          0),
            0U)
      << dry.out.substr(0, 2000);
  EXPECT_NE(dry.out.find(" = 64 × (20 + 0) minus "), std::string::npos);
  EXPECT_NE(dry.out.find(" held by other sessions: it may not fit.\n"), std::string::npos);
  EXPECT_NE(dry.out.find("apply  4000 t4000                                    ok (dry run, on "
                         "the copy)"),
            std::string::npos);
  EXPECT_NE(dry.out.find("Dry run: 4000 migrations checked on a copy, now dropped; the database "
                         "was not changed.\n"),
            std::string::npos);
  EXPECT_EQ(dry.err, "");
  EXPECT_EQ(schema_dump(db), empty_schema);
  EXPECT_EQ(history_rows(db), "none");
  EXPECT_EQ(copies_left(db), "0");

  // Asked for explicitly, the transaction fails as it always did, with PostgreSQL's hint.
  auto in_transaction = run_preflight(on(db, dir, {"migrate", "up", "--dry-run=transaction"}));
  EXPECT_EQ(in_transaction.exit_code, 1) << in_transaction.err;
  EXPECT_NE(in_transaction.err.find(k_out_of_locks), std::string::npos) << in_transaction.err;
  EXPECT_NE(in_transaction.err.find(k_locks_hint), std::string::npos) << in_transaction.err;
  EXPECT_NE(in_transaction.out.find("Dry run mode: transaction: requested with "
                                    "--dry-run=transaction; the plan needs about 16,064 locks"),
            std::string::npos)
      << in_transaction.out.substr(0, 500);
  EXPECT_EQ(schema_dump(db), empty_schema);

  start = std::chrono::steady_clock::now();
  auto up = run_preflight(on(db, dir, {"migrate", "up"}));
  std::cerr << fmt::format("[real up of 4,000 migrations: {:.1f} s]\n", seconds_since(start));
  ASSERT_EQ(up.exit_code, 0) << up.err;
  const auto schema = schema_dump(db);
  const auto history = history_rows(db);
  ASSERT_NE(schema.find("CREATE TABLE public.t4000"), std::string::npos);

  start = std::chrono::steady_clock::now();
  auto down = run_preflight(on(db, dir, {"migrate", "down", "--to", "0", "--dry-run"}));
  std::cerr << fmt::format("[down --to 0 --dry-run (copy) of 4,000 migrations: {:.1f} s]\n",
                           seconds_since(start));
  ASSERT_EQ(down.exit_code, 0) << down.err << down.out.substr(0, 2000);
  // Each DROP TABLE also locks the table's index and its TOAST table and index, which only the
  // server knows about: 4,000 × 4 + 64.
  EXPECT_EQ(down.out.rfind("Dry run mode: copy: the plan needs about 16,064 locks", 0), 0U)
      << down.out.substr(0, 2000);
  EXPECT_NE(down.out.find("revert     1 t1                                       ok (dry run, on "
                          "the copy)"),
            std::string::npos);
  EXPECT_EQ(schema_dump(db), schema);
  EXPECT_EQ(history_rows(db), history);
  EXPECT_EQ(copies_left(db), "0");

  auto down_in_transaction =
      run_preflight(on(db, dir, {"migrate", "down", "--to", "0", "--dry-run=transaction"}));
  EXPECT_EQ(down_in_transaction.exit_code, 1) << down_in_transaction.err;
  EXPECT_NE(down_in_transaction.err.find(k_out_of_locks), std::string::npos)
      << down_in_transaction.err;
  EXPECT_NE(down_in_transaction.err.find(k_locks_hint), std::string::npos);
  EXPECT_EQ(schema_dump(db), schema);
  EXPECT_EQ(history_rows(db), history);
}

// A plan that fits stays in one rolled-back transaction, as dry runs always did.
TEST(MigrateDryRunModes, SmallPlanRunsInARolledBackTransaction) {
  TestDatabase db;
  const auto dir = generate_migrations(3);
  auto dry = run_preflight(on(db.conninfo(), dir, {"migrate", "up", "--dry-run"}));
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_EQ(dry.out.rfind("Dry run mode: transaction: the plan needs about 76 locks in one "
                          "transaction; the server's lock table has room for about ",
                          0),
            0U)
      << dry.out;
  EXPECT_NE(dry.out.find(": it fits.\n"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("apply     3 t3                                       ok (dry run, "
                         "rolled back)"),
            std::string::npos)
      << dry.out;
  EXPECT_EQ(db.scalar("SELECT to_regclass('_sqlx_migrations') IS NULL"), "t");
}

// A -- no-transaction migration cannot be tried in a rolled-back transaction: auto runs it for
// real on a copy, and the lock trace follows it there.
TEST(MigrateDryRunModes, NoTransactionMigrationRunsOnACopyAndIsTraced) {
  TestDatabase db;
  auto dir = make_temp_dir();
  write_file(dir + "/0001_t.sql", "CREATE TABLE t (id bigint PRIMARY KEY, a int);\n"
                                  "INSERT INTO t SELECT g, g FROM generate_series(1, 100) g;\n");
  ASSERT_EQ(run_preflight(on(db.conninfo(), dir, {"migrate", "up"})).exit_code, 0);
  write_file(dir + "/0002_index.sql",
             "-- no-transaction\nCREATE INDEX CONCURRENTLY t_a ON t (a);\n");
  const auto schema = schema_dump(db.conninfo());
  const auto history = history_rows(db.conninfo());

  auto text = run_preflight(on(db.conninfo(), dir, {"migrate", "up", "--dry-run"}));
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(text.out.rfind("Dry run mode: copy: migration 2 runs without a transaction "
                           "(-- no-transaction), which a rolled-back transaction cannot try; the "
                           "plan needs about ",
                           0),
            0U)
      << text.out;
  EXPECT_NE(text.out.find("Copied the schema and the migration history to database "
                          "\"preflight_copy_"),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("apply     2 index                                    ok (dry run, on "
                          "the copy)"),
            std::string::npos)
      << text.out;

  // The trace follows the run to the copy: the transactional migration after it is traced
  // there, the -- no-transaction one ran (as in a real `up`, its statements commit on their own).
  write_file(dir + "/0003_column.sql", "ALTER TABLE t ADD COLUMN b int;\n");
  auto json = run_preflight(
      on(db.conninfo(), dir, {"migrate", "up", "--dry-run", "--trace-locks", "--format", "json"}));
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto doc = nlohmann::json::parse(json.out);
  EXPECT_EQ(doc["dry_run"]["mode"], "copy");
  EXPECT_EQ(doc["steps"][0]["outcome"], "dry_run_copy_ok");
  EXPECT_EQ(doc["steps"][1]["outcome"], "dry_run_copy_ok");
  const auto& statements = doc["lock_trace"]["statements"];
  ASSERT_EQ(statements.size(), 2U) << doc.dump(2);
  EXPECT_EQ(statements[0]["statement"], "CREATE INDEX CONCURRENTLY t_a ON t (a)");
  EXPECT_EQ(statements[0]["note"],
            "-- no-transaction: each statement commits on its own, so its locks end with it");
  EXPECT_EQ(statements[1]["statement"], "ALTER TABLE t ADD COLUMN b int");
  ASSERT_EQ(statements[1]["locks"].size(), 1U) << statements[1].dump(2);
  EXPECT_EQ(statements[1]["locks"][0]["relation"], "t");
  EXPECT_EQ(statements[1]["locks"][0]["mode"], "ACCESS EXCLUSIVE");

  EXPECT_EQ(schema_dump(db.conninfo()), schema);
  EXPECT_EQ(history_rows(db.conninfo()), history);
  EXPECT_EQ(copies_left(db.conninfo()), "0");
}

TEST(MigrateDryRunModes, UnknownModeIsBadUsageNamingTheModes) {
  TestDatabase db;
  const auto dir = generate_migrations(1);
  for (const char* command : {"up", "down"}) {
    auto r = run_preflight(on(db.conninfo(), dir, {"migrate", command, "--dry-run=bogus"}));
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(
        r.err.find(
            "preflight: error: --dry-run: bogus is not a dry-run mode; use --dry-run=transaction, "
            "--dry-run=copy or --dry-run=auto (plain --dry-run is auto)"),
        std::string::npos)
        << r.err;
    EXPECT_EQ(r.out, "");
  }
  auto with_data = run_preflight(on(db.conninfo(), dir, {"migrate", "up", "--with-data"}));
  EXPECT_EQ(with_data.exit_code, 2) << with_data.err;
  EXPECT_EQ(db.scalar("SELECT to_regclass('_sqlx_migrations') IS NULL"), "t");
}

// A role that may not create databases, on a machine whose PostgreSQL folder has the client
// programs only: no copy can be made, and nothing runs.
TEST(MigrateDryRunModes, NoWayToCopyStopsBeforeRunningAnything) {
  TestDatabase db;
  const auto dir = generate_migrations(2);
  const std::string role = "r_" + db.name();
  {
    auto admin = db.connect();
    admin->exec(fmt::format("CREATE ROLE {} LOGIN NOCREATEDB; GRANT ALL ON SCHEMA public TO {}",
                            role, role));
  }
  const auto clients = make_temp_dir();
  for (const char* tool : {"pg_dump", "pg_restore", "dropdb"})
    fs::create_symlink(postgres_bin_dir() + "/" + tool, clients + "/" + tool);
  const auto as_role = db.conninfo() + " user=" + role;
  auto r = run_preflight(on(as_role, dir, {"migrate", "up", "--dry-run=copy"}), {},
                         {"PREFLIGHT_PG_BINDIR=" + clients});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find(fmt::format(
                "preflight: error: a dry run on a copy cannot be made: role \"{}\" may not create "
                "databases, and no PostgreSQL server binaries (initdb, postgres) were found in {} "
                "for a throwaway cluster\nhint: grant CREATEDB (ALTER ROLE \"{}\" CREATEDB), or "
                "install the PostgreSQL ",
                role, clients, role)),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.out.find("apply"), std::string::npos) << r.out;

  // pg_dump older than the server: refused the same way.
  const auto old = make_temp_dir();
  write_file(old + "/pg_dump", "#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n");
  write_file(old + "/pg_restore", "#!/bin/sh\nexit 1\n");
  fs::permissions(old + "/pg_dump", fs::perms::owner_all | fs::perms::group_read |
                                        fs::perms::group_exec | fs::perms::others_read |
                                        fs::perms::others_exec);
  auto too_old = run_preflight(on(db.conninfo(), dir, {"migrate", "up", "--dry-run=copy"}), {},
                               {"PREFLIGHT_PG_BINDIR=" + old});
  EXPECT_EQ(too_old.exit_code, 4) << too_old.err;
  EXPECT_NE(too_old.err.find("a dry run on a copy needs pg_dump 15 or newer for this PostgreSQL "
                             "15 server; " +
                             old + "/pg_dump is version 9"),
            std::string::npos)
      << too_old.err;
  EXPECT_EQ(db.scalar("SELECT to_regclass('_sqlx_migrations') IS NULL AND to_regclass('t1') IS "
                      "NULL"),
            "t");
  auto admin = db.connect();
  admin->exec(fmt::format("REVOKE ALL ON SCHEMA public FROM {}; DROP ROLE {}", role, role));
}
