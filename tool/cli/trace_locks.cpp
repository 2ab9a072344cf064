#include "cli/trace_locks.h"

#include <CLI/CLI.hpp>

#include "cli/number_options.h"
#include "cli/output.h"

namespace preflight::cli {

void add_trace_locks_options(CLI::App& command, TraceLocksOptions& options, std::string& format) {
  command.add_flag(
      "--trace-locks", options.enabled,
      "report the locks each statement takes on existing tables and how long they are held");
  command
      .add_option("--lock-threshold", options.threshold_ms,
                  "with --trace-locks: flag SHARE-or-stronger locks held longer than this many ms "
                  "(default 100)")
      ->check(finite_non_negative());
  command
      .add_option("--format", format,
                  "text or json (json: one document with the steps, and the lock trace when "
                  "traced); with targets also github or junit (one entry per target)")
      ->check(CLI::IsMember({"text", "json", "github", "junit"}));
}

TraceLocksRun::TraceLocksRun(const TraceLocksOptions& options, migrate::Migrator& migrator,
                             const migrate::MigrationSet& files)
    : m_tracer(migrator.session(), static_cast<std::int64_t>(options.threshold_ms * 1e6)),
      m_files(files) {
  migrator.observe(&m_tracer);
}

void TraceLocksRun::on_step(const migrate::StepReport& step) {
  if (step.outcome != migrate::StepOutcome::not_executed) return;
  if (const auto* migration = m_files.find(step.version))
    m_tracer.not_executed(*migration, step.direction);
}

void TraceLocksRun::print_text() const {
  print_line("");
  print_line(
      "Lock trace (locks on tables that existed before each migration; held until it commits):");
  for (const auto& line : migrate::render_lock_trace(m_tracer.trace())) print_line(line);
}

nlohmann::json TraceLocksRun::to_json() const {
  return migrate::to_json(m_tracer.trace());
}

} // namespace preflight::cli
