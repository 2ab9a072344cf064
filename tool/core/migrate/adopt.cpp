#include "core/migrate/adopt.h"

#include <fmt/format.h>

namespace preflight::migrate {

AdoptPlan plan_adopt(const std::vector<StatusEntry>& status, bool force) {
  AdoptPlan plan;
  for (const auto& e : status) {
    AdoptEntry entry;
    entry.status = &e;
    switch (e.state) {
    case MigrationState::applied:
      entry.outcome = AdoptOutcome::matched;
      entry.recorded = true;
      break;
    case MigrationState::missing_file:
      entry.outcome = AdoptOutcome::missing;
      ++plan.blocking;
      break;
    case MigrationState::failed:
      entry.outcome = AdoptOutcome::failed;
      // preflight's own failed state: `migrate up` refuses until `migrate repair`, as the tool
      // refused until its force or repair. Without a file there is nothing to check it against.
      entry.recorded = force && e.migration != nullptr;
      entry.success = false;
      ++plan.blocking;
      break;
    case MigrationState::checksum_mismatch:
      entry.outcome = AdoptOutcome::edited;
      entry.recorded = force;
      ++plan.blocking;
      break;
    case MigrationState::pending:
    case MigrationState::pending_out_of_order: entry.outcome = AdoptOutcome::not_applied; break;
    }
    plan.entries.push_back(entry);
  }
  return plan;
}

std::string describe(const AdoptEntry& entry) {
  const char* what = "matched";
  std::string note;
  switch (entry.outcome) {
  case AdoptOutcome::matched: what = "matched"; break;
  case AdoptOutcome::missing:
    what = "missing";
    note = "applied there, no file here: not recorded";
    break;
  case AdoptOutcome::failed:
    what = "failed";
    note = entry.recorded ? "recorded as failed: fix by hand, then `preflight migrate repair`"
                          : "cannot be mapped: recorded there as failed";
    break;
  case AdoptOutcome::edited:
    what = "edited";
    note = entry.recorded ? "recorded with the checksum of the file as it is now"
                          : "the file changed since it was applied";
    break;
  case AdoptOutcome::not_applied:
    what = "pending";
    note = "not applied there: left for `preflight migrate up`";
    break;
  }
  const StatusEntry& e = *entry.status;
  return fmt::format("{:<8} {:>14}  {}{}", what, e.version, e.description,
                     note.empty() ? "" : " (" + note + ")");
}

} // namespace preflight::migrate
