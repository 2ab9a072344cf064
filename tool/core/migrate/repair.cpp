#include "core/migrate/repair.h"

#include <fmt/format.h>

namespace preflight::migrate {

std::vector<RepairAction> plan_repair(const std::vector<StatusEntry>& status,
                                      const std::vector<RepeatableEntry>& repeatables) {
  std::vector<RepairAction> actions;
  for (const auto& e : status) {
    if (e.state == MigrationState::checksum_mismatch) {
      actions.push_back({RepairKind::record_checksum, e.version, e.description, e.applied->checksum,
                         e.migration->checksum, recorded_checksum_text(*e.applied),
                         file_checksum_text(*e.applied, *e.migration), e.version_text});
    } else if (e.state == MigrationState::failed) {
      actions.push_back({RepairKind::remove_failed_row,
                         e.version,
                         e.description,
                         e.applied->checksum,
                         {},
                         {},
                         {},
                         e.version_text});
    }
  }
  for (const auto& e : repeatables) {
    if (e.state != RepeatableState::failed) continue;
    RepairAction action;
    action.kind = RepairKind::remove_failed_row;
    action.description = e.description;
    action.repeatable = true;
    actions.push_back(std::move(action));
  }
  return actions;
}

std::string describe(const RepairAction& action) {
  if (action.kind == RepairKind::record_checksum) {
    return fmt::format("record the new checksum of migration {} ({}): old {}, new {}",
                       action.shown_version(), action.description,
                       action.recorded_text.empty() ? to_hex(action.recorded)
                                                    : action.recorded_text,
                       action.file_text.empty() ? to_hex(action.file) : action.file_text);
  }
  if (action.repeatable) {
    return fmt::format("remove the failed row of repeatable migration \"{}\"; it will run again "
                       "at the next `migrate up`",
                       action.description);
  }
  return fmt::format(
      "remove the failed row of migration {} ({}); it will run again at the next `migrate up`",
      action.shown_version(), action.description);
}

} // namespace preflight::migrate
