#include "cli/migrate_history.h"

#include <fmt/format.h>

namespace preflight::cli {

migrate::HistorySetting history_setting(const config::Config& config, migrate::Layout layout) {
  return {config.history_table, config.history, layout};
}

std::string no_checksum_note(migrate::HistoryKind kind) {
  if (migrate::records_checksum(kind)) return {};
  return fmt::format("no checksum recorded: {} keeps versions only, so an applied file edited "
                     "since is not detected",
                     migrate::describe_history(kind));
}

} // namespace preflight::cli
