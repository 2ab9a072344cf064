#pragma once
// For tests that kill, cancel or race `preflight` processes: starting the binary without waiting,
// waiting with a bound, polling a condition with a bound, and reading a database's schema and
// history as comparable strings.

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "support/test_cluster.h"

namespace preflight::testing {

/// Starts the built `preflight` with `args` (stdout and stderr to `log_path`) without waiting;
/// returns its pid. The child runs in its own process group, so a test can kill it alone.
pid_t spawn_preflight(const std::vector<std::string>& args, const std::string& log_path,
                      const std::vector<std::string>& env = {});

/// Waits for `pid` up to `seconds`, then SIGKILLs it; returns its exit code (128 + signal when
/// killed by one).
int wait_exit(pid_t pid, double seconds = 120);

/// Polls `condition` every 10 ms for up to `seconds`; returns its last value.
bool eventually(const std::function<bool()>& condition, double seconds = 30);

/// True while a session other than the caller's runs a statement containing `text`.
bool running(const TestDatabase& db, const std::string& text);

/// True once no session of a `preflight` command (application_name "preflight <command>") is
/// connected to `db`.
bool no_preflight_sessions(const TestDatabase& db);

/// The relations, columns, constraints and index validity of schema public, one line each,
/// sorted: equal strings mean equal schemas (a catalog query, much cheaper than pg_dump).
std::string schema_signature(const TestDatabase& db);

/// "version:success" of every history row, comma-separated, in version order.
std::string history_summary(const TestDatabase& db);

/// `args` followed by --database-url for `db` and --source `dir`.
std::vector<std::string> on_database(const TestDatabase& db, const std::string& dir,
                                     std::vector<std::string> args);

} // namespace preflight::testing
