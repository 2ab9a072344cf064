#pragma once
// Which history table the migrate commands use (preflight.toml's `history`, the folder's
// layout, the target's table), and what they say about a table that records no checksum.

#include <string>

#include "cli/command_context.h"
#include "core/migrate/native_history.h"
#include "io/migrate/history_table.h"

namespace preflight::cli {

/// The history setting for `cx`, a target of `context`'s command.
migrate::HistorySetting history_setting(const CommandContext& context, const TargetConnection& cx);

/// The line status and verify print where the table records no checksum (empty where it does).
std::string no_checksum_note(migrate::HistoryKind kind);

} // namespace preflight::cli
