#pragma once
// The result of tracing the locks a migration takes (migrate --dry-run --trace-locks, and the
// benchmark harness's migration step): per statement, the locks it acquired on relations that
// existed before the migration, whether it rewrote them, and how long each lock was held.
// Pure: the io-layer tracer fills it in; this computes hold times and renders it.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/migrate/lock_modes.h"
#include "core/sql/parsed_sql.h"

namespace preflight::migrate {

/// Default for --lock-threshold: a write stall longer than this is flagged.
inline constexpr std::int64_t k_default_lock_threshold_ns = 100'000'000;

struct TracedLock {
  std::string relation; // e.g. "focus_sessions" (schema-qualified outside the search path)
  LockMode mode = LockMode::access_share;
  bool rewrite = false;        // the statement gave the table a new relfilenode
  double rows = 0;             // pg_class.reltuples before the migration (-1: never analysed)
  std::int64_t size_bytes = 0; // pg_total_relation_size before the migration
  std::int64_t held_ns = 0;    // from this statement's start to the end of the migration
  bool dangerous = false;      // SHARE or stronger, held longer than the threshold
  std::string blocks_note;     // what an older results file recorded it blocks ("" = from mode)
};

struct TracedStatement {
  std::int64_t version = 0;
  std::string direction = "up"; // "up" or "down"
  std::size_t index = 0;        // 1-based position in the file
  std::string file;
  std::uint32_t line = 0;
  std::string text; // the statement, whitespace collapsed, truncated
  std::int64_t duration_ns = 0;
  bool traced = true;  // false: listed only (cannot run in a transaction)
  bool failed = false; // the statement failed: the migration ended with it
  std::string note;    // why it was not traced
  std::vector<TracedLock> locks;
};

struct LockTrace {
  std::int64_t threshold_ns = k_default_lock_threshold_ns;
  std::vector<TracedStatement> statements;
};

/// How long writes (or reads and writes) to one table stay blocked by one migration.
struct BlockedTable {
  std::int64_t version = 0;
  std::string relation;
  LockMode mode = LockMode::access_share; // a dangerous mode taken
  std::int64_t held_ns = 0;               // the longest hold of that mode
  double rows = 0;
  std::int64_t size_bytes = 0;
  bool dangerous = false;
};

/// A record for statement number `index` (1-based) of the script at `file` whose text is
/// `sql`: its first line and its text on one line; not yet timed.
TracedStatement statement_record(std::int64_t version, const std::string& direction,
                                 std::size_t index, const std::string& file, std::string_view sql,
                                 const sql::Statement& statement);

/// Records for every statement of a script that was not run inside a transaction, each with
/// why its locks cannot be traced (CONCURRENTLY statements say so). Throws Error(input) if the
/// SQL does not parse.
std::vector<TracedStatement> untraced_statements(std::int64_t version, const std::string& direction,
                                                 const std::string& file, std::string_view sql,
                                                 const std::string& reason);

/// Fills held_ns and dangerous of the statements [first, end) of one migration: a lock is held
/// from the start of the statement that took it until the migration's transaction ends.
void finish_migration(std::vector<TracedStatement>& statements, std::size_t first,
                      std::int64_t threshold_ns);

/// What `lock` keeps other sessions from doing: the recorded note of an older results file, else
/// what its mode blocks ("reads and writes", "writes", …).
std::string blocks_text(const TracedLock& lock);

/// Per migration and table, in trace order, the dangerous modes (SHARE and stronger) with their
/// longest holds, strongest first; a weaker mode only when held longer than every stronger one.
std::vector<BlockedTable> blocked_tables(const LockTrace& trace);

/// The trace as JSON (stable field names, documented in docs/migrate.md).
nlohmann::json to_json(const LockTrace& trace);

/// Reads what to_json writes, and the bare statements array of older results files (modes in
/// pg_locks spelling, "AccessExclusiveLock", or PostgreSQL's, "ACCESS EXCLUSIVE"; absent fields
/// take their defaults). Throws Error(input) naming the bad field.
LockTrace lock_trace_from_json(const nlohmann::json& document);

/// The trace as text lines: one block per statement, then a summary of blocked tables.
std::vector<std::string> render_lock_trace(const LockTrace& trace);

/// "1.2 MB", "640 kB", "812 B".
std::string format_bytes(std::int64_t bytes);

} // namespace preflight::migrate
