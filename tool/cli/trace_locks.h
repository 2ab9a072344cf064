#pragma once
// `--trace-locks` for `migrate up` / `migrate down`: attaches a LockTracer to the migrator and
// prints what it saw (text after the run, or one JSON document with the steps).

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/migrate/migration_set.h"
#include "io/migrate/lock_trace.h"
#include "io/migrate/migrator.h"

namespace CLI {
class App;
}

namespace preflight::cli {

struct TraceLocksOptions {
  bool enabled = false;
  double threshold_ms = 100; // --lock-threshold
};

/// Adds --trace-locks, --lock-threshold and --format (text|json) to `command`.
void add_trace_locks_options(CLI::App& command, TraceLocksOptions& options, std::string& format);

class TraceLocksRun {
public:
  /// Observes `migrator`'s statements.
  TraceLocksRun(const TraceLocksOptions& options, migrate::Migrator& migrator,
                const migrate::MigrationSet& files);
  /// To call from the migrator's step callback: lists migrations a dry run did not execute.
  void on_step(const migrate::StepReport& step);
  /// Prints the trace as text.
  void print_text() const;
  /// The trace as the "lock_trace" member of `migrate up|down --format json`.
  nlohmann::json to_json() const;

private:
  migrate::LockTracer m_tracer;
  const migrate::MigrationSet& m_files;
};

} // namespace preflight::cli
