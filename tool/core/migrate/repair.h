#pragma once
// `migrate repair`: what to change in the history so that it matches the files again, decided
// from the status alone so that a dry run prints exactly what a real run does.

#include <cstdint>
#include <string>
#include <vector>

#include "core/migrate/history.h"
#include "core/migrate/repeatable.h"

namespace preflight::migrate {

enum class RepairKind {
  record_checksum,   // the applied file was edited on purpose: record its new checksum
  remove_failed_row, // the DBA fixed a failed migration by hand: forget the failed attempt
};

struct RepairAction {
  RepairKind kind = RepairKind::record_checksum;
  std::int64_t version = 0;
  std::string description;
  Checksum recorded; // the checksum in the history row
  Checksum file;     // the file's checksum (record_checksum only)
  // Both as the history's tool shows them (hex for sqlx, Flyway's signed integers).
  std::string recorded_text{};
  std::string file_text{};
  std::string version_text{}; // as the history's tool writes it, when not `version` in decimal
  bool repeatable = false;    // a Flyway repeatable migration's failed run (remove_failed_row)

  /// The version as its tool shows it.
  std::string shown_version() const { return migrate::shown_version(version, version_text); }
};

/// The repairs that make `status` free of checksum mismatches and failed rows, ascending by
/// version, then the failed runs of `repeatables`. Missing files are left alone (restoring
/// history is the DBA's call, not repair's); an outdated repeatable is not a mismatch (up runs
/// it again).
std::vector<RepairAction> plan_repair(const std::vector<StatusEntry>& status,
                                      const std::vector<RepeatableEntry>& repeatables = {});

/// One line for users, e.g. "record checksum of 3 (x): old abc…, new def…" (full hex values).
std::string describe(const RepairAction& action);

} // namespace preflight::migrate
