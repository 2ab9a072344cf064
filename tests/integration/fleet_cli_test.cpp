// Fleets end to end: the real binary over many databases (or schemas) of the throwaway cluster.

#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <random>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "support/case_files.h"
#include "support/test_cluster.h"

using namespace preflight::testing;

namespace {

// `count` databases named <prefix>_00 … with a random prefix; dropped at the end.
class Fleet {
public:
  explicit Fleet(std::size_t count) : m_prefix("f_" + random_name()) {
    std::cerr << "[test fleet " << m_prefix << "_*]\n";
    auto admin = preflight::pg::PgSession::connect(server_conninfo("postgres"));
    for (std::size_t i = 0; i < count; ++i) {
      m_names.push_back(fmt::format("{}_{:02}", m_prefix, i));
      admin->exec("CREATE DATABASE " + m_names.back());
    }
  }
  ~Fleet() {
    try {
      auto admin = preflight::pg::PgSession::connect(server_conninfo("postgres"));
      for (const auto& name : m_names)
        admin->exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (...) {
    }
  }
  Fleet(const Fleet&) = delete;
  Fleet& operator=(const Fleet&) = delete;

  const std::vector<std::string>& names() const { return m_names; }
  const std::string& prefix() const { return m_prefix; }
  /// A --targets file: one keyword string a line (named after its database), with a password
  /// the server does not ask for (trust), to prove it is never printed.
  std::string targets_file(const std::string& dir) const {
    std::string text = "# the test fleet\n\n";
    for (const auto& name : m_names) text += server_conninfo(name) + " password=s3cret\n";
    write_file(dir + "/fleet.txt", text);
    return dir + "/fleet.txt";
  }
  std::string scalar(std::size_t i, const std::string& sql) const {
    auto session = preflight::pg::PgSession::connect(server_conninfo(m_names[i]));
    auto r = session->exec(sql);
    return r.rows() > 0 ? r.get(0, 0) : "";
  }
  /// Versions recorded as applied in database i: "1,2,3" ("" without a history table).
  std::string history(std::size_t i) const {
    if (scalar(i, "SELECT to_regclass('_sqlx_migrations') IS NULL") == "t") return "";
    return scalar(i, "SELECT coalesce(string_agg(version::text, ',' ORDER BY version), '') FROM "
                     "_sqlx_migrations WHERE success");
  }

private:
  static std::string random_name() {
    std::string s;
    std::random_device rd;
    for (int i = 0; i < 8; ++i) s += "abcdefghijklmnopqrstuvwxyz"[rd() % 26];
    return s;
  }
  std::string m_prefix;
  std::vector<std::string> m_names;
};

// Four migrations; the third fails where table c already exists.
std::string four_migrations() {
  auto dir = make_temp_dir();
  write_file(dir + "/0001_a.sql", "CREATE TABLE a (id int);\n");
  write_file(dir + "/0002_b.sql", "CREATE TABLE b (id int);\n");
  write_file(dir + "/0003_c.sql", "CREATE TABLE c (id int);\n");
  write_file(dir + "/0004_d.sql", "CREATE TABLE d (id int);\n");
  return dir;
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The line of `text` that starts with `start` ("" if none).
std::string line_of(const std::string& text, const std::string& start) {
  for (std::size_t at = 0; at < text.size();) {
    auto end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    if (text.compare(at, start.size(), start) == 0) return text.substr(at, end - at);
    at = end + 1;
  }
  return "";
}

// `migrate up` over the targets of `file`; false (with its output printed) unless it exits 0.
bool migrate_all(const std::string& file, const std::string& migrations, const std::string& dir) {
  auto up = run_preflight({"migrate", "up", "--targets", file, "--source", migrations}, dir);
  EXPECT_EQ(up.exit_code, 0) << up.out << up.err;
  return up.exit_code == 0;
}

TEST(FleetCli, FiftyDatabasesOneFailingHalfWayContinuesThenReRunsOnlyWhereNeeded) {
  Fleet fleet(50);
  const auto migrations = four_migrations();
  const std::size_t bad = 17;
  fleet.scalar(bad, "CREATE TABLE c (pre_existing int)");
  const auto dir = make_temp_dir();
  const auto file = fleet.targets_file(dir);
  auto r = run_preflight({"migrate", "up", "--targets", file, "--source", migrations}, dir);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  for (std::size_t i = 0; i < 50; ++i) {
    EXPECT_EQ(fleet.history(i), i == bad ? "1,2" : "1,2,3,4") << fleet.names()[i];
  }
  const auto& bad_name = fleet.names()[bad];
  EXPECT_NE(r.err.find("[" + bad_name + "] error: " + migrations +
                       "/0003_c.sql:1:1: migration 3 (c) failed: ERROR 42P07: relation \"c\" "
                       "already exists\n[" +
                       bad_name +
                       "] hint: migration 3 was rolled back; 2 earlier migrations of "
                       "this run stay applied\n"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("preflight: error: 1 of 50 targets failed: " + bad_name + "\n"),
            std::string::npos)
      << r.err;
  // Each target's steps carry its prefix; the table has one row per target.
  EXPECT_NE(r.out.find("[" + fleet.names()[0] + "] apply     4 d"), std::string::npos) << r.out;
  EXPECT_EQ(count_of(r.out, "ok: applied 4 migrations\n"), 49U) << r.out;
  EXPECT_NE(line_of(r.out, bad_name).find(" - → 2 "), std::string::npos) << r.out;
  EXPECT_NE(line_of(r.out, bad_name).find("  FAILED: migration 3 (c) failed: ERROR 42P07"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("50 targets: 49 ok, 1 failed, 0 history mismatch, 0 skipped in "),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("s3cret"), std::string::npos);
  EXPECT_EQ(r.err.find("s3cret"), std::string::npos);

  // Fixed by hand: the re-run applies what that one target misses, and nothing elsewhere.
  fleet.scalar(bad, "DROP TABLE c");
  auto again = run_preflight(
      {"migrate", "up", "--targets", file, "--source", migrations, "--format", "json"}, dir);
  EXPECT_EQ(again.exit_code, 0) << again.err;
  auto json = nlohmann::json::parse(again.out);
  EXPECT_EQ(json["counts"]["ok"], 50);
  for (const auto& t : json["targets"]) {
    const bool was_bad = t["name"] == bad_name;
    EXPECT_EQ(t["changed"], was_bad ? 2 : 0) << t.dump();
    EXPECT_EQ(t["summary"], was_bad ? "applied 2 migrations" : "up to date") << t.dump();
    EXPECT_EQ(t["to_version"], 4);
  }
  EXPECT_EQ(fleet.history(bad), "1,2,3,4");
}

TEST(FleetCli, FailFastStopsStartingTargetsAndReportsTheRestAsSkipped) {
  Fleet fleet(50);
  const auto migrations = four_migrations();
  const std::size_t bad = 17;
  fleet.scalar(bad, "CREATE TABLE c (pre_existing int)");
  const auto dir = make_temp_dir();
  auto r = run_preflight({"migrate", "up", "--targets", fleet.targets_file(dir), "--source",
                          migrations, "--parallel", "1", "--fail-fast", "--format", "json"},
                         dir);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  for (std::size_t i = 0; i < 50; ++i) {
    EXPECT_EQ(fleet.history(i), i < bad ? "1,2,3,4" : i == bad ? "1,2" : "") << i;
  }
  auto json = nlohmann::json::parse(r.out);
  EXPECT_EQ(json["counts"]["skipped"], 32);
  EXPECT_EQ(json["targets"][bad + 1]["result"], "skipped");
  EXPECT_EQ(json["stop_reason"],
            "a target failed (--fail-fast): the other targets were not started");
  EXPECT_NE(r.err.find("  32 of 50 targets were not started: "), std::string::npos) << r.err;
}

TEST(FleetCli, AFailingCanaryLeavesTheRestOfTheFleetUntouched) {
  Fleet fleet(12);
  const auto migrations = four_migrations();
  fleet.scalar(2, "CREATE TABLE c (pre_existing int)");
  const auto dir = make_temp_dir();
  const auto file = fleet.targets_file(dir);
  auto r = run_preflight({"migrate", "up", "--targets", file, "--source", migrations, "--canary",
                          "3", "--parallel", "4", "--format", "junit"},
                         dir);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(fleet.history(0), "1,2,3,4");
  EXPECT_EQ(fleet.history(2), "1,2");
  for (std::size_t i = 3; i < 12; ++i) EXPECT_EQ(fleet.history(i), "") << i;
  EXPECT_NE(r.out.find("tests=\"12\" failures=\"1\" errors=\"0\" skipped=\"9\""), std::string::npos)
      << r.out;
  EXPECT_EQ(count_of(r.out, "<testcase "), 12U);

  // Healthy canaries: the whole fleet follows.
  fleet.scalar(2, "DROP TABLE c");
  auto healthy = run_preflight(
      {"migrate", "up", "--targets", file, "--source", migrations, "--canary", "3"}, dir);
  EXPECT_EQ(healthy.exit_code, 0) << healthy.err;
  for (std::size_t i = 0; i < 12; ++i) EXPECT_EQ(fleet.history(i), "1,2,3,4") << i;
}

TEST(FleetCli, OverlappingShardRunsAtOnceMigrateEveryTargetOnce) {
  Fleet fleet(20);
  const auto migrations = four_migrations();
  const auto dir = make_temp_dir();
  const auto file = fleet.targets_file(dir);
  const auto run = [&](std::vector<std::string> extra) {
    std::vector<std::string> args{"migrate", "up", "--targets", file, "--source", migrations};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::async(std::launch::async, [args, dir] { return run_preflight(args, dir); });
  };
  // Two runners splitting the fleet, and a third (mis)configured to take all of it.
  auto first = run({"--shard", "1/2"});
  auto second = run({"--shard", "2/2"});
  auto everything = run({"--parallel", "8"});
  for (auto* f : {&first, &second, &everything}) {
    auto r = f->get();
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }
  for (std::size_t i = 0; i < 20; ++i) {
    EXPECT_EQ(fleet.scalar(i, "SELECT count(*) FROM _sqlx_migrations"), "4") << i;
    EXPECT_EQ(fleet.history(i), "1,2,3,4") << i;
  }
}

TEST(FleetCli, ShardsOfOneToEightCoverEveryTargetExactlyOnce) {
  Fleet fleet(10);
  const auto migrations = four_migrations();
  const auto dir = make_temp_dir();
  const auto file = fleet.targets_file(dir);
  for (int n : {1, 3, 8}) {
    std::multiset<std::string> seen;
    for (int i = 1; i <= n; ++i) {
      auto r = run_preflight({"migrate", "status", "--targets", file, "--source", migrations,
                              "--shard", fmt::format("{}/{}", i, n), "--format", "json"},
                             dir);
      ASSERT_EQ(r.exit_code, 0) << r.err;
      auto json = nlohmann::json::parse(r.out);
      EXPECT_EQ(json["fleet_size"], 10);
      for (const auto& t : json["targets"]) seen.insert(t["name"].get<std::string>());
    }
    EXPECT_EQ(seen, std::multiset<std::string>(fleet.names().begin(), fleet.names().end()))
        << "n = " << n;
  }
  // --shard auto with GitLab's variables takes the same share as --shard 2/3.
  auto gitlab = run_preflight({"migrate", "status", "--targets", file, "--source", migrations,
                               "--shard", "auto", "--format", "json"},
                              dir, {"CI_NODE_INDEX=2", "CI_NODE_TOTAL=3"});
  auto explicit_share = run_preflight({"migrate", "status", "--targets", file, "--source",
                                       migrations, "--shard", "2/3", "--format", "json"},
                                      dir);
  ASSERT_EQ(gitlab.exit_code, 0) << gitlab.err;
  const auto names = [](const std::string& out) {
    std::vector<std::string> found;
    const auto document = nlohmann::json::parse(out); // the loop below must not outlive it
    for (const auto& t : document["targets"]) found.push_back(t["name"]);
    return found;
  };
  EXPECT_EQ(names(gitlab.out), names(explicit_share.out));
  EXPECT_EQ(nlohmann::json::parse(gitlab.out)["shard"], "2/3");
}

TEST(FleetCli, SchemaPerTenantKeepsOneHistoryPerSchema) {
  TestDatabase db;
  const auto migrations = four_migrations();
  const auto dir = make_temp_dir();
  std::string toml = fmt::format("migrations = \"{}\"\n", migrations);
  {
    auto session = db.connect();
    for (int i = 0; i < 20; ++i) {
      session->exec(fmt::format("CREATE SCHEMA tenant_{:02}", i));
      toml += fmt::format("\n[[target]]\nname = \"tenant_{:02}\"\nurl = \"{}\"\nschema = "
                          "\"tenant_{:02}\"\n",
                          i, db.conninfo(), i);
    }
    // One tenant already has c: only that schema fails.
    session->exec("CREATE TABLE tenant_07.c (pre_existing int)");
  }
  write_file(dir + "/preflight.toml", toml);
  auto r = run_preflight({"migrate", "up", "--parallel", "4"}, dir);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("preflight: error: 1 of 20 targets failed: tenant_07\n"), std::string::npos)
      << r.err;
  for (int i = 0; i < 20; ++i) {
    const auto schema = fmt::format("tenant_{:02}", i);
    EXPECT_EQ(db.scalar(fmt::format("SELECT string_agg(version::text, ',' ORDER BY version) FROM "
                                    "{}._sqlx_migrations",
                                    schema)),
              i == 7 ? "1,2" : "1,2,3,4")
        << schema;
    EXPECT_EQ(db.scalar(fmt::format("SELECT to_regclass('{}.d') IS NOT NULL", schema)),
              i == 7 ? "f" : "t");
  }
  EXPECT_EQ(db.scalar("SELECT to_regclass('public._sqlx_migrations') IS NULL AND "
                      "to_regclass('public.a') IS NULL"),
            "t");
  auto status = run_preflight({"migrate", "status", "--exit-code"}, dir);
  EXPECT_EQ(status.exit_code, 1) << status.err;
  EXPECT_NE(line_of(status.out, "tenant_07 ").find(" 2 → 2 "), std::string::npos) << status.out;
  EXPECT_NE(line_of(status.out, "tenant_07 ").find("ok: 2 pending"), std::string::npos)
      << status.out;
  // --database-url names one database for a one-off run: [[target]] is then not used.
  auto one = run_preflight({"migrate", "status", "--database-url", db.conninfo()}, dir);
  EXPECT_EQ(one.exit_code, 0) << one.err;
  EXPECT_NE(one.out.find("Migrations in " + migrations), std::string::npos) << one.out;
}

TEST(FleetCli, DryRunsChangeNoTargetAndSayWhereTheyRan) {
  Fleet fleet(3);
  // A golang-migrate folder: the layout is detected once for the whole fleet.
  const auto migrations = make_temp_dir();
  write_file(migrations + "/1_a.up.sql", "CREATE TABLE a (id int);\n");
  write_file(migrations + "/1_a.down.sql", "DROP TABLE a;\n");
  write_file(migrations + "/2_b.up.sql", "CREATE TABLE b (id int);\n");
  write_file(migrations + "/2_b.down.sql", "");
  const auto dir = make_temp_dir();
  const auto file = fleet.targets_file(dir);
  for (const std::string mode : {"transaction", "copy"}) {
    auto r = run_preflight(
        {"migrate", "up", "--targets", file, "--source", migrations, "--dry-run=" + mode}, dir);
    EXPECT_EQ(r.exit_code, 0) << mode << "\n" << r.err;
    const std::string summary = mode == "copy" ? "ok: 2 migrations checked (dry run on a copy)"
                                               : "ok: 2 migrations checked (dry run)";
    EXPECT_EQ(count_of(r.out, summary + "\n"), 3U) << mode << "\n" << r.out;
    for (std::size_t i = 0; i < 3; ++i) {
      EXPECT_EQ(fleet.scalar(i, "SELECT to_regclass('a') IS NULL AND to_regclass('b') IS NULL"),
                "t")
          << mode;
      EXPECT_EQ(fleet.history(i), "") << mode;
    }
  }
  auto real = run_preflight({"migrate", "up", "--targets", file, "--source", migrations}, dir);
  EXPECT_EQ(real.exit_code, 0) << real.err;
  EXPECT_EQ(count_of(real.out, "ok: applied 2 migrations\n"), 3U) << real.out;
}

TEST(FleetCli, CheckRunsOnEveryTargetAndFailsOnlyWhereACheckFails) {
  Fleet fleet(3);
  const auto migrations = four_migrations();
  fleet.scalar(2, "CREATE TABLE c (pre_existing int)");
  const auto dir = make_temp_dir();
  const auto file = fleet.targets_file(dir);
  write_file(dir + "/checks.toml", "[[check]]\nname = \"table c is empty\"\nkind = \"sql\"\n"
                                   "query = \"SELECT count(*) FROM c\"\nexpect = \"== 0\"\n"
                                   "\n[[check]]\nname = \"table d exists\"\nkind = \"sql\"\n"
                                   "query = \"SELECT count(*) FROM pg_class WHERE relname = 'd'\"\n"
                                   "expect = \"== 1\"\n");
  auto up = run_preflight({"migrate", "up", "--targets", file, "--source", migrations}, dir);
  EXPECT_EQ(up.exit_code, 1) << up.err; // target 2 already had c
  fleet.scalar(0, "INSERT INTO c VALUES (1)");
  auto r = run_preflight({"check", "checks.toml", "--targets", file, "--source", migrations}, dir);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const auto& n = fleet.names();
  // Each target's check lines carry its name; the summary has one line per target.
  EXPECT_NE(r.out.find("[" + n[1] + "] PASS  table c is empty: 0 (expected == 0)\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("[" + n[0] + "] FAIL  table c is empty: 1 (expected == 0)\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("[" + n[2] + "] FAIL  table d exists: 0 (expected == 1)\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(line_of(r.out, n[1] + " ").find("ok: 2 of 2 checks passed"), std::string::npos)
      << r.out;
  EXPECT_NE(line_of(r.out, n[0] + " ").find("1 of 2 checks passed"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("preflight: error: 2 of 3 targets failed: " + n[0] + ", " + n[2] + "\n"),
            std::string::npos)
      << r.err;
  // The check lines are printed once, on stdout; stderr names the failed targets only.
  EXPECT_EQ(r.err.find("PASS"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("table c is empty"), std::string::npos) << r.err;
}

TEST(FleetCli, DiffFindsTheTargetThatDriftedAndOnlyIt) {
  Fleet fleet(3);
  const auto migrations = four_migrations();
  const auto dir = make_temp_dir();
  const auto file = fleet.targets_file(dir);
  ASSERT_TRUE(migrate_all(file, migrations, dir));
  fleet.scalar(1, "CREATE INDEX a_hot_fix ON a (id)");
  auto r = run_preflight({"migrate", "diff", "--targets", file, "--source", migrations}, dir);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const auto& n = fleet.names();
  EXPECT_NE(r.out.find("[" + n[1] + "] + index public.a_hot_fix: not in the migrations\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(line_of(r.out, n[1] + " ").find("1 difference from the schema of version 4"),
            std::string::npos)
      << r.out;
  for (std::size_t i : {0U, 2U}) {
    EXPECT_NE(r.out.find("[" + n[i] + "] no drift at version 4\n"), std::string::npos) << r.out;
  }
  EXPECT_NE(r.err.find("preflight: error: 1 of 3 targets failed: " + n[1] + "\n"),
            std::string::npos)
      << r.err;
  // The differences are printed once.
  EXPECT_EQ(count_of(r.out + r.err, "index public.a_hot_fix"), 1U) << r.out << r.err;
  EXPECT_EQ(r.out.find("s3cret"), std::string::npos);

  auto md = run_preflight(
      {"migrate", "diff", "--targets", file, "--source", migrations, "--format", "md"}, dir);
  EXPECT_EQ(md.exit_code, 2) << md.err;
  EXPECT_NE(md.err.find("--format md reports one database, not a fleet"), std::string::npos);
}

TEST(FleetCli, DiffOfSchemaTargetsComparesEachTenantsSchemaOnly) {
  TestDatabase db;
  const auto migrations = four_migrations();
  const auto dir = make_temp_dir();
  std::string toml = fmt::format("migrations = \"{}\"\n", migrations);
  {
    auto session = db.connect();
    for (const char* tenant : {"tenant_a", "tenant_b"}) {
      session->exec(fmt::format("CREATE SCHEMA {}", tenant));
      toml += fmt::format("\n[[target]]\nname = \"{0}\"\nurl = \"{1}\"\nschema = \"{0}\"\n", tenant,
                          db.conninfo());
    }
  }
  write_file(dir + "/preflight.toml", toml);
  auto up = run_preflight({"migrate", "up"}, dir);
  ASSERT_EQ(up.exit_code, 0) << up.err;
  db.connect()->exec("ALTER TABLE tenant_b.c ADD COLUMN note text");
  auto r = run_preflight({"migrate", "diff"}, dir);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("[tenant_a] no drift at version 4\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[tenant_b] + column tenant_b.c.note: not in the migrations"),
            std::string::npos)
      << r.out;
  EXPECT_NE(line_of(r.out, "tenant_b ").find("1 difference from the schema of version 4"),
            std::string::npos)
      << r.out;
}

// A suite with its own two migrations (a table, then an index on it) and one query.
std::string bench_project() {
  auto dir = make_temp_dir();
  write_file(dir + "/migrations/0001_items.sql",
             "CREATE TABLE items (id bigint PRIMARY KEY, k int NOT NULL);\n");
  write_file(dir + "/migrations/0002_items_k.sql", "CREATE INDEX items_k ON items (k);\n");
  write_file(dir + "/suite.toml", R"(name = "items"
migrations = "migrations"
before = 1
after = 2

[dataset]
sql = "INSERT INTO items SELECT g, g % 500 FROM generate_series(1, 5000) g"

[defaults]
warmup = 6
iterations = 10
time_budget = 2

[[queries]]
name = "lookup"
sql = "SELECT id FROM items WHERE k = $1"
params = [{ int = [0, 499] }]
)");
  return dir;
}

TEST(FleetCli, BenchRunMeasuresEachTargetInTurnAndShowsThemSideBySide) {
  Fleet fleet(2);
  const auto dir = bench_project();
  const auto file = fleet.targets_file(dir);
  auto r =
      run_preflight({"bench", "run", "suite.toml", "--targets", file, "--out", "out/results.json"},
                    dir, {"CI=true"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto& n = fleet.names();
  EXPECT_NE(r.out.find("Side by side: p50 before → after (ratio)\n"), std::string::npos) << r.out;
  const auto side = r.out.substr(std::min(r.out.size(), r.out.find("Side by side")));
  EXPECT_NE(line_of(side, "operation ").find(n[0]), std::string::npos) << r.out;
  EXPECT_NE(line_of(side, "operation ").find(n[1]), std::string::npos) << r.out;
  EXPECT_NE(line_of(side, "lookup ").find(" ms ("), std::string::npos) << r.out;
  EXPECT_NE(line_of(r.out, n[0] + " ").find(" 1 → 2 "), std::string::npos) << r.out;
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_NE(r.out.find("\n== " + n[i] + "\n"), std::string::npos) << r.out;
    EXPECT_TRUE(std::filesystem::exists(dir + "/out/results." + n[i] + ".json")) << n[i];
    EXPECT_EQ(fleet.scalar(i, "SELECT max(version) FROM _sqlx_migrations"), "2");
    EXPECT_EQ(fleet.scalar(i, "SELECT to_regclass('items_k') IS NOT NULL"), "t");
  }
  EXPECT_NE(r.out.find("2 targets: 2 ok, 0 failed"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("s3cret"), std::string::npos);

  auto parallel = run_preflight(
      {"bench", "run", "suite.toml", "--targets", file, "--parallel", "2"}, dir, {"CI=true"});
  EXPECT_EQ(parallel.exit_code, 2) << parallel.err;
  EXPECT_NE(parallel.err.find("bench run measures one target at a time: --parallel must be 1"),
            std::string::npos)
      << parallel.err;
}

TEST(FleetCli, TargetsQueryPicksDatabasesOnOneServer) {
  Fleet fleet(6);
  const auto migrations = four_migrations();
  auto r = run_preflight(
      {"migrate", "up", "--database-url", server_conninfo("postgres") + " password=s3cret",
       "--targets-query",
       "SELECT datname FROM pg_database WHERE datname LIKE '" + fleet.prefix() + "\\_%' ORDER BY 1",
       "--source", migrations});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  for (std::size_t i = 0; i < 6; ++i) EXPECT_EQ(fleet.history(i), "1,2,3,4");
  EXPECT_NE(r.out.find("6 targets: 6 ok, 0 failed"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("s3cret"), std::string::npos);

  auto none = run_preflight({"migrate", "status", "--database-url", server_conninfo("postgres"),
                             "--targets-query", "SELECT datname FROM pg_database WHERE false",
                             "--source", migrations});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_EQ(none.err, "preflight: error: --targets-query: no targets\nhint: list at least one "
                      "database\n");
  auto two_columns =
      run_preflight({"migrate", "status", "--database-url", server_conninfo("postgres"),
                     "--targets-query", "SELECT 1, 2", "--source", migrations});
  EXPECT_EQ(two_columns.exit_code, 2);
  EXPECT_EQ(two_columns.err, "preflight: error: --targets-query returned 2 columns; it must "
                             "return one: database names\n");
}

TEST(FleetCli, HistoryMismatchExitsThreeNamingTheTarget) {
  Fleet fleet(3);
  const auto migrations = four_migrations();
  const auto dir = make_temp_dir();
  const auto file = fleet.targets_file(dir);
  ASSERT_TRUE(migrate_all(file, migrations, dir));
  fleet.scalar(1, "UPDATE _sqlx_migrations SET checksum = '\\x00' WHERE version = 2");
  auto verify = run_preflight(
      {"migrate", "verify", "--targets", file, "--source", migrations, "--format", "github"}, dir);
  EXPECT_EQ(verify.exit_code, 3) << verify.err;
  EXPECT_NE(verify.err.find("preflight: error: 1 of 3 targets history does not match the files: " +
                            fleet.names()[1]),
            std::string::npos)
      << verify.err;
  EXPECT_NE(verify.out.find("::error title=migrate verify " + fleet.names()[1] + "::"),
            std::string::npos)
      << verify.out;
  EXPECT_EQ(count_of(verify.out, "::notice title=migrate verify "), 2U) << verify.out;
  EXPECT_EQ(verify.out.find("s3cret"), std::string::npos);
  EXPECT_EQ(verify.err.find("s3cret"), std::string::npos);
}

TEST(FleetCli, AnUnreachableTargetFailsAloneWithoutItsPassword) {
  Fleet fleet(2);
  const auto migrations = four_migrations();
  const auto dir = make_temp_dir();
  write_file(dir + "/fleet.txt", server_conninfo(fleet.names()[0]) + "\n" +
                                     "gone=postgresql://app:s3cret@/nowhere?host=/nonexistent\n" +
                                     server_conninfo(fleet.names()[1]) + "\n");
  auto r = run_preflight({"migrate", "up", "--targets", "fleet.txt", "--source", migrations}, dir);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(fleet.history(0), "1,2,3,4");
  EXPECT_EQ(fleet.history(1), "1,2,3,4");
  EXPECT_NE(r.err.find("[gone] error: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("preflight: error: 1 of 3 targets failed: gone\n"), std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("s3cret"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("s3cret"), std::string::npos) << r.out;
}

// Bad target lists: tests/cases/targets/<name>.txt with <name>.expected (the whole stderr); exit
// 2 and nothing connects.
class BadTargetsCase : public ::testing::TestWithParam<std::string> {};

TEST_P(BadTargetsCase, ExitTwoAtFileLine) {
  const auto dir = case_path("targets", "").string();
  auto r = run_preflight(
      {"migrate", "up", "--targets", GetParam(), "--source", bundled_migrations()}, dir);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  auto stem = GetParam().substr(0, GetParam().size() - 4);
  EXPECT_EQ(r.err, read_text(case_path("targets", stem + ".expected")));
  EXPECT_EQ(r.err.find("s3cret"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Cases, BadTargetsCase, ::testing::ValuesIn(case_names("targets", ".txt")),
                         CaseName());

TEST(FleetCli, BadOptionsExitTwoBeforeConnecting) {
  const auto dir = make_temp_dir();
  write_file(dir + "/fleet.txt", "postgresql://app:s3cret@/a?host=/nonexistent\n");
  write_file(dir + "/m/0001_a.sql", "CREATE TABLE a (id int);\n");
  const auto run = [&](std::vector<std::string> extra) {
    std::vector<std::string> args{"migrate", "up", "--targets", "fleet.txt", "--source", "m"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_preflight(args, dir);
  };
  auto shard = run({"--shard", "3/2"});
  EXPECT_EQ(shard.exit_code, 2);
  EXPECT_EQ(shard.err, "preflight: error: --shard 3/2: shard 3/2 is not a shard (1 ≤ i ≤ n ≤ "
                       "10000)\nhint: write --shard i/n with 1 ≤ i ≤ n, e.g. --shard 2/4, or "
                       "--shard auto\n");
  auto no_env = run({"--shard", "auto"});
  EXPECT_EQ(no_env.exit_code, 2);
  auto parallel = run({"--parallel", "0"});
  EXPECT_EQ(parallel.exit_code, 2);
  auto both = run({"--fail-fast", "--max-failures", "3"});
  EXPECT_EQ(both.exit_code, 2);
  auto trace = run({"--trace-locks"});
  EXPECT_EQ(trace.exit_code, 2);
  EXPECT_EQ(trace.err, "preflight: error: --trace-locks takes one database, not a fleet\nhint: "
                       "trace one representative target with --database-url\n");
  auto junit_single = run_preflight({"migrate", "status", "--database-url", "host=/nonexistent",
                                     "--source", "m", "--format", "junit"},
                                    dir);
  EXPECT_EQ(junit_single.exit_code, 2);
  for (const auto* r : {&shard, &no_env, &parallel, &both, &trace}) {
    EXPECT_EQ(r->err.find("s3cret"), std::string::npos) << r->err;
  }
}

} // namespace
