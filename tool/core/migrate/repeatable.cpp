#include "core/migrate/repeatable.h"

#include <map>

#include <fmt/format.h>

namespace preflight::migrate {

std::vector<RepeatableRun> flyway_repeatable_runs(const std::vector<NativeRow>& rows) {
  std::map<std::string, RepeatableRun> latest;
  for (const auto& row : rows) {
    if (!row.version.empty() || row.type == "SCHEMA") continue;
    if (row.type == "DELETE") {
      if (row.flag) latest.erase(row.description);
      continue;
    }
    RepeatableRun run;
    run.description = row.description;
    run.checksum = row.checksum;
    run.success = row.flag;
    run.installed_on = row.installed_on;
    run.execution_time_ns = row.execution_time_ms * 1'000'000;
    latest.insert_or_assign(row.description, std::move(run));
  }
  std::vector<RepeatableRun> out;
  out.reserve(latest.size());
  for (auto& [description, run] : latest) out.push_back(std::move(run));
  return out;
}

std::string to_string(RepeatableState state) {
  switch (state) {
  case RepeatableState::applied: return "applied";
  case RepeatableState::pending: return "pending";
  case RepeatableState::outdated: return "outdated";
  case RepeatableState::failed: return "failed";
  case RepeatableState::missing_file: return "missing_file";
  }
  return "unknown";
}

std::vector<RepeatableEntry> repeatable_status(const MigrationSet& files,
                                               const std::vector<RepeatableRun>& runs) {
  std::map<std::string, RepeatableEntry> entries;
  for (const auto& m : files.repeatables()) {
    RepeatableEntry& e = entries[m.description];
    e.description = m.description;
    e.migration = &m;
  }
  for (const auto& run : runs) {
    RepeatableEntry& e = entries[run.description];
    e.description = run.description;
    e.run = run;
  }
  std::vector<RepeatableEntry> out;
  out.reserve(entries.size());
  for (auto& [description, e] : entries) {
    if (!e.run) {
      e.state = RepeatableState::pending;
    } else if (!e.run->success) {
      e.state = RepeatableState::failed;
    } else if (!e.migration) {
      e.state = RepeatableState::missing_file;
    } else {
      // Flyway's checksumMatches: the recorded checksum is the file's or its equivalent.
      const Script& s = e.migration->up;
      const bool matches = e.run->checksum && (e.run->checksum == s.native_checksum ||
                                               e.run->checksum == s.equivalent_checksum);
      e.state = matches ? RepeatableState::applied : RepeatableState::outdated;
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<Error> repeatable_problems(const std::vector<RepeatableEntry>& status) {
  std::vector<Error> problems;
  for (const auto& e : status) {
    if (e.state == RepeatableState::failed) {
      problems.emplace_back(
          ErrorKind::history,
          fmt::format("repeatable migration \"{}\" is recorded as failed (partially applied)",
                      e.description),
          "fix the database by hand, then run `preflight migrate repair` to remove the failed "
          "row");
    } else if (e.state == RepeatableState::missing_file) {
      problems.emplace_back(
          ErrorKind::history,
          fmt::format("repeatable migration \"{}\" was applied but its file is missing",
                      e.description),
          "restore the R__ file; history must not be rewritten silently");
    }
  }
  return problems;
}

std::size_t count_in(const std::vector<RepeatableEntry>& status, RepeatableState state) {
  std::size_t n = 0;
  for (const auto& e : status) n += e.state == state ? 1U : 0U;
  return n;
}

std::vector<const Migration*> plan_repeatables(const std::vector<RepeatableEntry>& status) {
  if (auto problems = repeatable_problems(status); !problems.empty())
    throw Error::combine(std::move(problems));
  std::vector<const Migration*> plan;
  for (const auto& e : status) {
    if (e.state == RepeatableState::pending || e.state == RepeatableState::outdated)
      plan.push_back(e.migration);
  }
  return plan;
}

} // namespace preflight::migrate
