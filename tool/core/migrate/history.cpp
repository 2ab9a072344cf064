#include "core/migrate/history.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

namespace preflight::migrate {

std::string to_string(MigrationState state) {
  switch (state) {
  case MigrationState::applied: return "applied";
  case MigrationState::pending: return "pending";
  case MigrationState::pending_out_of_order: return "pending_out_of_order";
  case MigrationState::missing_file: return "missing_file";
  case MigrationState::checksum_mismatch: return "checksum_mismatch";
  case MigrationState::failed: return "failed";
  }
  return "unknown";
}

std::string recorded_checksum_text(const AppliedMigration& row) {
  if (row.recorded == RecordedChecksum::none) return {};
  if (row.recorded == RecordedChecksum::flyway && row.checksum.size() == 4) {
    const std::uint32_t u = (std::uint32_t{row.checksum[0]} << 24U) |
                            (std::uint32_t{row.checksum[1]} << 16U) |
                            (std::uint32_t{row.checksum[2]} << 8U) | std::uint32_t{row.checksum[3]};
    return std::to_string(static_cast<std::int32_t>(u));
  }
  return to_hex(row.checksum);
}

std::string file_checksum_text(const AppliedMigration& row, const Migration& migration) {
  switch (row.recorded) {
  case RecordedChecksum::sha384: return to_hex(migration.checksum);
  case RecordedChecksum::flyway:
    return migration.up.native_checksum ? std::to_string(*migration.up.native_checksum) : "none";
  case RecordedChecksum::none: return {};
  }
  return {};
}

namespace {
bool checksum_matches(const AppliedMigration& row, const Migration& migration) {
  switch (row.recorded) {
  case RecordedChecksum::sha384: return migration.checksum == row.checksum;
  case RecordedChecksum::flyway:
    return recorded_checksum_text(row) == file_checksum_text(row, migration);
  case RecordedChecksum::none: return true; // nothing to compare: status says so
  }
  return true;
}
} // namespace

std::vector<StatusEntry> compute_status(const MigrationSet& files,
                                        std::vector<AppliedMigration> history) {
  std::map<std::int64_t, StatusEntry> entries;
  std::int64_t newest_applied = 0;
  for (auto& row : history) {
    // The store lists rows by version: inserting at the end is then constant time.
    StatusEntry& e = entries.try_emplace(entries.end(), row.version)->second;
    e.version = row.version;
    e.description = row.description;
    e.migration = files.find(row.version);
    e.version_text = e.migration ? e.migration->version_text : row.version_text;
    if (!row.success) {
      e.state = MigrationState::failed;
    } else if (e.migration == nullptr) {
      e.state = MigrationState::missing_file;
    } else if (!checksum_matches(row, *e.migration)) {
      e.state = MigrationState::checksum_mismatch;
    } else {
      e.state = MigrationState::applied;
    }
    newest_applied = std::max(newest_applied, row.version);
    e.applied = std::move(row);
  }
  for (const auto& m : files.all()) {
    auto [place, added] = entries.try_emplace(m.version);
    if (!added) continue;
    StatusEntry& e = place->second;
    e.version = m.version;
    e.version_text = m.version_text;
    e.description = m.description;
    e.migration = &m;
    e.state =
        m.version < newest_applied ? MigrationState::pending_out_of_order : MigrationState::pending;
  }
  std::vector<StatusEntry> out;
  out.reserve(entries.size());
  for (auto& [version, entry] : entries) out.push_back(std::move(entry));
  return out;
}

std::vector<Error> history_problems(const std::vector<StatusEntry>& status) {
  std::vector<Error> problems;
  for (const auto& e : status) {
    switch (e.state) {
    case MigrationState::missing_file:
      problems.emplace_back(ErrorKind::history,
                            fmt::format("migration {} ({}) was applied but its file is missing",
                                        e.shown_version(), e.description),
                            "restore the file; history must not be rewritten silently");
      break;
    case MigrationState::checksum_mismatch:
      problems.emplace_back(
          ErrorKind::history,
          fmt::format("migration {} ({}) was edited after it was applied: recorded checksum "
                      "{}, file {} has {}",
                      e.shown_version(), e.description, recorded_checksum_text(*e.applied),
                      e.migration->up.path, file_checksum_text(*e.applied, *e.migration)),
          "restore the applied version of the file, or run `preflight migrate repair` to "
          "record the new checksum if the edit is intended");
      break;
    case MigrationState::failed:
      problems.emplace_back(
          ErrorKind::history,
          fmt::format("migration {} ({}) is recorded as failed (partially applied)",
                      e.shown_version(), e.description),
          "fix the database by hand, then run `preflight migrate repair` to remove the failed "
          "row");
      break;
    default: break;
    }
  }
  return problems;
}

namespace {
void refuse_on_problems(const std::vector<StatusEntry>& status) {
  auto problems = history_problems(status);
  if (!problems.empty()) throw Error::combine(std::move(problems));
}
} // namespace

std::vector<const Migration*> plan_up(const MigrationSet& files,
                                      const std::vector<AppliedMigration>& history,
                                      const UpOptions& options) {
  auto status = compute_status(files, history);
  refuse_on_problems(status);
  if (options.target && *options.target != 0 && files.find(*options.target) == nullptr) {
    throw Error(ErrorKind::usage, fmt::format("--to {}: no migration has this version",
                                              files.shown_version(*options.target)));
  }
  std::vector<const Migration*> plan;
  std::vector<Error> out_of_order;
  for (const auto& e : status) {
    if (options.target && e.version > *options.target) break;
    if (e.state == MigrationState::pending_out_of_order && !options.allow_out_of_order) {
      out_of_order.emplace_back(
          ErrorKind::history,
          fmt::format("migration {} ({}) is pending but older than the newest applied migration",
                      e.shown_version(), e.description),
          "rename it to a newer version, or pass --allow-out-of-order to apply it anyway",
          Location{e.migration->up.path, 0, 0});
      continue;
    }
    if (e.state == MigrationState::pending || e.state == MigrationState::pending_out_of_order) {
      plan.push_back(e.migration);
    }
  }
  if (!out_of_order.empty()) throw Error::combine(std::move(out_of_order));
  return plan;
}

std::vector<const Migration*> plan_down(const MigrationSet& files,
                                        const std::vector<AppliedMigration>& history,
                                        const DownOptions& options) {
  auto status = compute_status(files, history);
  std::vector<const StatusEntry*> applied;
  for (const auto& e : status) {
    if (e.applied) applied.push_back(&e);
  }
  std::reverse(applied.begin(), applied.end());

  std::vector<const StatusEntry*> chosen;
  if (options.target) {
    if (*options.target != 0 &&
        std::none_of(applied.begin(), applied.end(),
                     [&](const StatusEntry* e) { return e->version == *options.target; })) {
      throw Error(ErrorKind::usage,
                  fmt::format("--to {}: no applied migration has this version",
                              files.shown_version(*options.target)),
                  "use `preflight migrate status` to see applied versions; --to 0 reverts all");
    }
    for (auto* e : applied) {
      // --to 0 reverts everything, also a version 0 (diesel's initial set-up migration).
      if (e->version > *options.target || *options.target == 0) chosen.push_back(e);
    }
  } else {
    auto steps = options.steps.value_or(1);
    if (steps < 1) throw Error(ErrorKind::usage, "--steps must be at least 1");
    for (auto* e : applied) {
      if (static_cast<std::int64_t>(chosen.size()) == steps) break;
      chosen.push_back(e);
    }
  }

  std::vector<Error> problems;
  std::vector<const Migration*> plan;
  for (auto* e : chosen) {
    if (e->state != MigrationState::applied) {
      std::vector<StatusEntry> one{*e};
      for (auto& p : history_problems(one)) problems.push_back(std::move(p));
      continue;
    }
    if (!e->migration->down) {
      problems.emplace_back(
          ErrorKind::input,
          fmt::format("migration {} ({}) cannot be reverted: it has no down script",
                      e->shown_version(), e->description),
          "nothing was reverted; write a .down.sql file (reversible migration) or revert by hand",
          Location{e->migration->up.path, 0, 0});
      continue;
    }
    // Another tool's layout keeps a down script's problem for the command that runs it.
    if (e->migration->down->problem) {
      problems.push_back(*e->migration->down->problem);
      continue;
    }
    plan.push_back(e->migration);
  }
  if (!problems.empty()) throw Error::combine(std::move(problems));
  return plan;
}

} // namespace preflight::migrate
