#include "cli/migrate_history.h"

#include <fmt/format.h>

namespace preflight::cli {

migrate::HistorySetting history_setting(const CommandContext& context, const TargetConnection& cx) {
  return {cx.history_table, context.config().history, context.layout()};
}

std::string no_checksum_note(migrate::HistoryKind kind) {
  if (migrate::records_checksum(kind)) return {};
  return fmt::format("no checksum recorded: {} keeps versions only, so an applied file edited "
                     "since is not detected",
                     migrate::describe_history(kind));
}

} // namespace preflight::cli
