#include "core/migrate/repair.h"

#include <fmt/format.h>

namespace preflight::migrate {

std::vector<RepairAction> plan_repair(const std::vector<StatusEntry>& status) {
  std::vector<RepairAction> actions;
  for (const auto& e : status) {
    if (e.state == MigrationState::checksum_mismatch) {
      actions.push_back({RepairKind::record_checksum, e.version, e.description, e.applied->checksum,
                         e.migration->checksum, recorded_checksum_text(*e.applied),
                         file_checksum_text(*e.applied, *e.migration)});
    } else if (e.state == MigrationState::failed) {
      actions.push_back(
          {RepairKind::remove_failed_row, e.version, e.description, e.applied->checksum, {}});
    }
  }
  return actions;
}

std::string describe(const RepairAction& action) {
  if (action.kind == RepairKind::record_checksum) {
    return fmt::format("record the new checksum of migration {} ({}): old {}, new {}",
                       action.version, action.description,
                       action.recorded_text.empty() ? to_hex(action.recorded)
                                                    : action.recorded_text,
                       action.file_text.empty() ? to_hex(action.file) : action.file_text);
  }
  return fmt::format(
      "remove the failed row of migration {} ({}); it will run again at the next `migrate up`",
      action.version, action.description);
}

} // namespace preflight::migrate
