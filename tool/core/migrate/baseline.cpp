#include "core/migrate/baseline.h"

#include <fmt/format.h>

namespace preflight::migrate {

std::vector<const Migration*> plan_baseline(const MigrationSet& files,
                                            const std::vector<AppliedMigration>& history,
                                            std::int64_t version) {
  if (files.find(version) == nullptr) {
    throw Error(
        ErrorKind::usage,
        fmt::format("baseline {}: no migration has this version", files.shown_version(version)),
        "pass the version of the newest migration the database already contains");
  }
  if (!history.empty()) {
    throw Error(
        ErrorKind::history,
        fmt::format("baseline refused: the history already has {} row{} (newest: version {})",
                    history.size(), history.size() == 1 ? "" : "s",
                    history.back().version_text.empty()
                        ? files.shown_version(history.back().version)
                        : history.back().version_text),
        "baseline only starts a history; use `preflight migrate status` to see what is recorded");
  }
  std::vector<const Migration*> plan;
  for (const auto& m : files.all()) {
    if (m.version <= version) plan.push_back(&m);
  }
  return plan;
}

} // namespace preflight::migrate
