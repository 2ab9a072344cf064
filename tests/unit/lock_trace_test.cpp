// The pure half of the lock trace: lock modes, hold times, danger, rendering and JSON.

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/migrate/lock_modes.h"
#include "core/migrate/lock_trace.h"
#include "core/text/text.h"

using namespace preflight::migrate;

namespace {

TEST(LockModes, WhatEachModeBlocks) {
  EXPECT_EQ(describe(blocked_by(*lock_mode_from_pg("AccessExclusiveLock"))), "reads and writes");
  EXPECT_EQ(describe(blocked_by(*lock_mode_from_pg("ExclusiveLock"))), "writes");
  EXPECT_EQ(describe(blocked_by(*lock_mode_from_pg("ShareRowExclusiveLock"))), "writes");
  EXPECT_EQ(describe(blocked_by(*lock_mode_from_pg("ShareLock"))), "writes");
  EXPECT_EQ(describe(blocked_by(*lock_mode_from_pg("ShareUpdateExclusiveLock"))),
            "other DDL and VACUUM");
  EXPECT_EQ(describe(blocked_by(*lock_mode_from_pg("RowExclusiveLock"))), "nothing (only DDL)");
  EXPECT_EQ(describe(blocked_by(*lock_mode_from_pg("AccessShareLock"))), "nothing (only DDL)");
  EXPECT_FALSE(lock_mode_from_pg("SIReadLock").has_value());
  EXPECT_TRUE(is_dangerous(LockMode::share));
  EXPECT_FALSE(is_dangerous(LockMode::share_update_exclusive));
  EXPECT_EQ(lock_mode_name(*lock_mode_from_number(5)), "SHARE");
}

TracedStatement statement(std::int64_t version, std::int64_t duration_ms,
                          std::vector<TracedLock> locks) {
  TracedStatement s;
  s.version = version;
  s.file = "m.sql";
  s.duration_ns = duration_ms * 1'000'000;
  s.locks = std::move(locks);
  return s;
}

TracedLock lock(const std::string& relation, LockMode mode) {
  TracedLock l;
  l.relation = relation;
  l.mode = mode;
  l.rows = 200000;
  l.size_bytes = 25 * 1024 * 1024;
  return l;
}

TEST(LockTrace, LocksAreHeldFromTheirStatementToTheEndOfTheMigration) {
  std::vector<TracedStatement> statements{
      statement(2, 999,
                {lock("other", LockMode::access_exclusive)}), // an earlier migration: untouched
      statement(3, 2, {lock("tracks", LockMode::access_exclusive)}),
      statement(3, 300, {lock("sessions", LockMode::share)}),
      statement(3, 50, {lock("sessions", LockMode::row_exclusive)}),
  };
  finish_migration(statements, 1, 100'000'000);
  EXPECT_EQ(statements[0].locks[0].held_ns, 0);
  EXPECT_EQ(statements[1].locks[0].held_ns, 352'000'000);
  EXPECT_TRUE(statements[1].locks[0].dangerous);
  EXPECT_EQ(statements[2].locks[0].held_ns, 350'000'000);
  EXPECT_TRUE(statements[2].locks[0].dangerous);
  EXPECT_EQ(statements[3].locks[0].held_ns, 50'000'000);
  EXPECT_FALSE(statements[3].locks[0].dangerous); // ROW EXCLUSIVE blocks no application query
}

TEST(LockTrace, ShortDangerousLocksAreNotFlagged) {
  std::vector<TracedStatement> statements{
      statement(1, 20, {lock("t", LockMode::access_exclusive)})};
  finish_migration(statements, 0, 100'000'000);
  EXPECT_FALSE(statements[0].locks[0].dangerous);
}

TEST(LockTrace, RendersStatementsAndBlockedTables) {
  LockTrace trace;
  trace.statements = {statement(3, 731, {lock("focus_sessions", LockMode::share)})};
  trace.statements[0].line = 14;
  trace.statements[0].text = "CREATE INDEX i ON focus_sessions (user_id)";
  trace.statements[0].locks[0].rewrite = false;
  finish_migration(trace.statements, 0, trace.threshold_ns);
  TracedStatement untraced;
  untraced.version = 4;
  untraced.file = "n.sql";
  untraced.line = 2;
  untraced.text = "CREATE INDEX CONCURRENTLY j ON t (a)";
  untraced.traced = false;
  untraced.note = "CONCURRENTLY cannot run inside a transaction, so a dry run cannot trace it";
  trace.statements.push_back(untraced);
  std::vector<std::string> expected{
      "3 m.sql:14  CREATE INDEX i ON focus_sessions (user_id)",
      "    ran 731.0 ms",
      "    !! SHARE on focus_sessions (~200000 rows, 25.0 MB): blocks writes, held 731.0 ms until "
      "the migration ends",
      "4 n.sql:2  CREATE INDEX CONCURRENTLY j ON t (a)",
      "    not traced: CONCURRENTLY cannot run inside a transaction, so a dry run cannot trace it",
      "Blocked while the migration runs (!! = held longer than 100.0 ms):",
      "  !! migration 3: writes on focus_sessions would be blocked for 731.0 ms (SHARE)",
  };
  EXPECT_EQ(render_lock_trace(trace), expected);

  auto json = to_json(trace);
  EXPECT_EQ(json["threshold_ns"], 100'000'000);
  EXPECT_EQ(json["statements"][0]["locks"][0]["mode"], "SHARE");
  EXPECT_EQ(json["statements"][0]["locks"][0]["blocks"], "writes");
  EXPECT_EQ(json["statements"][0]["locks"][0]["held_ns"], 731'000'000);
  EXPECT_EQ(json["statements"][1]["traced"], false);
  EXPECT_EQ(json["blocked_tables"][0]["relation"], "focus_sessions");
}

TEST(LockTrace, BlockedTablesPairEachModeWithItsOwnHold) {
  // SHARE for 308 ms, then ACCESS EXCLUSIVE for the last 1 ms: not "everything for 308 ms".
  LockTrace trace;
  trace.statements = {statement(4, 8, {lock("t", LockMode::share)}), statement(4, 300, {}),
                      statement(4, 1, {lock("t", LockMode::access_exclusive)})};
  finish_migration(trace.statements, 0, trace.threshold_ns);
  trace.statements.push_back(statement(5, 200, {lock("t", LockMode::access_exclusive)}));
  trace.statements.push_back(statement(5, 100, {lock("t", LockMode::share)}));
  finish_migration(trace.statements, 3, trace.threshold_ns);
  const auto tables = blocked_tables(trace);
  ASSERT_EQ(tables.size(), 3U);
  EXPECT_EQ(tables[0].mode, LockMode::access_exclusive);
  EXPECT_EQ(tables[0].held_ns, 1'000'000);
  EXPECT_EQ(tables[1].mode, LockMode::share);
  EXPECT_EQ(tables[1].held_ns, 309'000'000);
  // Migration 5: SHARE was held for less than ACCESS EXCLUSIVE, which blocks more: one line.
  EXPECT_EQ(tables[2].version, 5);
  EXPECT_EQ(tables[2].mode, LockMode::access_exclusive);
  EXPECT_EQ(tables[2].held_ns, 300'000'000);
}

TEST(LockTrace, AFailedStatementEndsTheMigrationAndSaysItsLocksAreUnknown) {
  LockTrace trace;
  trace.statements = {statement(2, 250, {lock("a", LockMode::access_exclusive)}),
                      statement(2, 40, {})};
  trace.statements[1].failed = true;
  trace.statements[1].line = 4;
  trace.statements[1].text = "SELECT 1/0";
  trace.statements[1].note = "the locks it took are not known (its transaction was aborted)";
  finish_migration(trace.statements, 0, trace.threshold_ns);
  EXPECT_EQ(trace.statements[0].locks[0].held_ns, 290'000'000);
  EXPECT_TRUE(trace.statements[0].locks[0].dangerous);
  const auto lines = render_lock_trace(trace);
  EXPECT_EQ(lines[3], "2 m.sql:4  SELECT 1/0");
  EXPECT_EQ(
      lines[4],
      "    FAILED after 40.0 ms; the locks it took are not known (its transaction was aborted)");
  EXPECT_EQ(to_json(trace)["statements"][1]["failed"], true);
}

TEST(LockTrace, UntracedStatementsSayWhy) {
  const std::string sql =
      "-- no-transaction\nSET lock_timeout = '5s';\n\nCREATE INDEX CONCURRENTLY j\n  ON t (a);\n";
  auto records = untraced_statements(4, "up", "n.sql", sql, "not executed in a dry run");
  ASSERT_EQ(records.size(), 2U);
  EXPECT_EQ(records[0].line, 2U);
  EXPECT_EQ(records[0].note, "not executed in a dry run");
  EXPECT_EQ(records[1].line, 4U);
  EXPECT_EQ(records[1].index, 2U);
  EXPECT_EQ(records[1].text, "CREATE INDEX CONCURRENTLY j ON t (a)");
  EXPECT_EQ(records[1].note,
            "CONCURRENTLY cannot run inside a transaction, so a dry run cannot trace it");
}

TEST(LockTrace, OneLineCollapsesWhitespaceAndTruncates) {
  EXPECT_EQ(preflight::text::one_line("  ALTER TABLE t\n   ADD COLUMN c int  "),
            "ALTER TABLE t ADD COLUMN c int");
  EXPECT_EQ(preflight::text::one_line("abcdefghij", 4), "abcd…");
}

TEST(LockTraceJson, ReadsWhatItWritesAndTheBareArrayOfOlderResultsFiles) {
  LockTrace trace;
  trace.threshold_ns = 250'000'000;
  TracedStatement s;
  s.version = 3;
  s.direction = "down";
  s.index = 2;
  s.file = "migrations/0003_x.down.sql";
  s.line = 14;
  s.text = "CREATE INDEX i ON t (a)";
  s.duration_ns = 1'500'000;
  s.note = "why";
  s.failed = true;
  TracedLock l;
  l.relation = "t";
  l.mode = LockMode::share;
  l.rewrite = true;
  l.rows = 1000;
  l.size_bytes = 8192;
  l.held_ns = 2'000'000;
  l.dangerous = true;
  s.locks.push_back(l);
  trace.statements.push_back(s);
  const auto json = to_json(trace);
  EXPECT_EQ(to_json(lock_trace_from_json(json)), json);

  // A results file from before the trace was an object: statements only, pg_locks spelling.
  const auto old = lock_trace_from_json(nlohmann::json::parse(
      R"([{"version": 3, "statement": "DROP INDEX i", "line": 7, "duration_ns": 1200000,
           "locks": [{"relation": "t", "mode": "AccessExclusiveLock"}]}])"));
  ASSERT_EQ(old.statements.size(), 1U);
  EXPECT_EQ(old.statements[0].text, "DROP INDEX i");
  EXPECT_EQ(old.statements[0].line, 7U);
  EXPECT_EQ(old.statements[0].direction, "up");
  ASSERT_EQ(old.statements[0].locks.size(), 1U);
  EXPECT_EQ(old.statements[0].locks[0].mode, LockMode::access_exclusive);
  EXPECT_EQ(old.threshold_ns, k_default_lock_threshold_ns);

  try {
    lock_trace_from_json(nlohmann::json::parse(
        R"({"statements": [{"locks": [{"relation": "t", "mode": "TotalLock"}]}]})"));
    FAIL() << "an unknown mode was accepted";
  } catch (const preflight::Error& e) {
    EXPECT_EQ(e.message(), "lock trace: unknown lock mode \"TotalLock\"");
  }
}

} // namespace
