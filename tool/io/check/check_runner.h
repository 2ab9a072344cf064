#pragma once
// Runs checks against a live database, read-only by design: each check in its own
// `BEGIN READ ONLY` transaction with `SET LOCAL statement_timeout`, always rolled back. SQL is
// classified before anything runs (core/check/read_only.h); this is the second line of defence.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/check/check_file.h"
#include "core/check/results.h"
#include "core/migrate/migration_set.h"
#include "io/migrate/history_table.h"
#include "io/pg/pg_session.h"

namespace preflight::check {

struct RunnerOptions {
  std::int64_t statement_timeout_ms = 5000;
  std::optional<std::int64_t> window_ms;             // index_used: sample idx_scan this far apart
  const migrate::MigrationSet* migrations = nullptr; // needed by `migration` checks
  migrate::HistorySetting history; // where `migration` and `drift` checks read the history
};

/// Reads and parses a checks file; throws Error(input) located in it.
std::vector<Check> load_checks(const std::string& path);

class CheckRunner {
public:
  CheckRunner(pg::PgSession& session, RunnerOptions options);

  /// Runs every check and returns their results (a check that cannot run, e.g. an SQL error or
  /// a statement timeout, fails with PostgreSQL's message); throws Error(connection) if the
  /// database goes away. `target` is recorded, password-free, in the report.
  CheckReport run(const std::vector<Check>& checks, const std::string& target);

private:
  CheckResult run_one(const Check& check);
  void run_sql(const Check& check, CheckResult& result);
  void run_index_used(const Check& check, CheckResult& result);
  void run_plan(const Check& check, CheckResult& result);
  void run_schema(const Check& check, CheckResult& result);
  void run_migration(const Check& check, CheckResult& result);
  void run_statements(const Check& check, CheckResult& result);
  void run_drift(const Check& check, CheckResult& result);
  void begin_read_only();

  struct IndexSample {
    bool found = false;
    std::int64_t idx_scan = 0;
    std::string table;
    std::string stats_reset; // "" if never reset
  };
  IndexSample sample_index(const std::string& index);

  pg::PgSession& m_session;
  RunnerOptions m_options;
  std::vector<IndexSample> m_first_samples; // per check, when a window is used
  const std::vector<Check>* m_checks = nullptr;
};

} // namespace preflight::check
