#include "cli/migrate_history.h"

#include <chrono>
#include <cstdint>

#include <fmt/format.h>

namespace preflight::cli {

namespace {

migrate::MigratorOptions history_migrator_options(const CommandContext& context,
                                                  double lock_wait_seconds, bool dry_run) {
  const auto& config = context.config();
  migrate::MigratorOptions m;
  m.history_table = config.history_table;
  m.history_mode = config.history;
  double wait = lock_wait_seconds >= 0 ? lock_wait_seconds : config.lock_wait_seconds.value_or(60);
  m.lock_wait = std::chrono::milliseconds(static_cast<std::int64_t>(wait * 1000));
  m.dry_run = dry_run;
  m.layout = context.layout();
  return m;
}

} // namespace

migrate::HistorySetting history_setting(const CommandContext& context, const TargetConnection& cx) {
  return {cx.history_table, context.config().history, context.layout()};
}

std::string no_checksum_note(migrate::HistoryKind kind) {
  if (migrate::records_checksum(kind)) return {};
  return fmt::format("no checksum recorded: {} keeps versions only, so an applied file edited "
                     "since is not detected",
                     migrate::describe_history(kind));
}

HistoryEdit::HistoryEdit(const GlobalOptions& globals, const std::string& application_name,
                         double lock_wait_seconds, bool dry_run)
    : m_context(globals, MigrationFiles::checked), // validate before connecting
      m_cx(m_context.connect(application_name)),
      m_migrator(*m_cx.session, history_migrator_options(m_context, lock_wait_seconds, dry_run)) {}

} // namespace preflight::cli
