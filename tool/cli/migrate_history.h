#pragma once
// Which history table the migrate commands use (preflight.toml's `history`), and what they say
// about a table that records no checksum.

#include <string>

#include "core/config/config.h"
#include "core/migrate/native_history.h"
#include "io/migrate/history_table.h"

namespace preflight::cli {

/// The history setting of `config` for a folder of `layout`.
migrate::HistorySetting history_setting(const config::Config& config, migrate::Layout layout);

/// The line status and verify print where the table records no checksum (empty where it does).
std::string no_checksum_note(migrate::HistoryKind kind);

} // namespace preflight::cli
