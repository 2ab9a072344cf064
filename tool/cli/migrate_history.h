#pragma once
// Which history table the migrate commands use (preflight.toml's `history`, the folder's
// layout, the target's table), what they say about a table that records no checksum, and the
// prelude of the commands that only edit the history (baseline, repair).

#include <string>

#include "cli/command_context.h"
#include "core/migrate/native_history.h"
#include "io/migrate/history_table.h"
#include "io/migrate/migrator.h"

namespace preflight::cli {

/// The history setting for `cx`, a target of `context`'s command.
migrate::HistorySetting history_setting(const CommandContext& context, const TargetConnection& cx);

/// The line status and verify print where the table records no checksum (empty where it does).
std::string no_checksum_note(migrate::HistoryKind kind);

/// What `migrate baseline` and `migrate repair` work with: the checked migration files, a session
/// to the one target, and a migrator over its history.
class HistoryEdit {
public:
  /// Loads and checks the files before connecting as `application_name`; the history table and
  /// lock wait come from the config (`lock_wait_seconds` < 0: not given on the command line).
  /// Throws like CommandContext and CommandContext::connect().
  HistoryEdit(const GlobalOptions& globals, const std::string& application_name,
              double lock_wait_seconds, bool dry_run);

  const migrate::MigrationSet& files() const { return m_context.files(); }
  migrate::Layout layout() const { return m_context.layout(); }
  migrate::Migrator& migrator() { return m_migrator; }

private:
  CommandContext m_context;
  TargetConnection m_cx;
  migrate::Migrator m_migrator;
};

} // namespace preflight::cli
