#pragma once
// `--trace-locks` for `migrate up` / `migrate down`: attaches a LockTracer to the migrator and
// prints what it saw (text after the run, or one JSON document with the steps).

#include <memory>
#include <string>

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
  /// Observes `migrator`'s statements; `json` selects the JSON document instead of text.
  TraceLocksRun(const TraceLocksOptions& options, migrate::Migrator& migrator,
                const migrate::MigrationSet& files, bool json);
  /// To call from the migrator's step callback: lists migrations a dry run did not execute.
  void on_step(const migrate::StepReport& step);
  /// Prints the trace (text), or the steps and the trace as one JSON document.
  void print(const migrate::RunReport& report) const;
  bool json() const { return m_json; }

private:
  migrate::LockTracer m_tracer;
  const migrate::MigrationSet& m_files;
  bool m_json;
};

} // namespace preflight::cli
