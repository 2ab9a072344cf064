#pragma once
// `migrate repair`: what to change in the history so that it matches the files again, decided
// from the status alone so that a dry run prints exactly what a real run does.

#include <cstdint>
#include <string>
#include <vector>

#include "core/migrate/history.h"

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
};

/// The repairs that make `status` free of checksum mismatches and failed rows, ascending by
/// version. Missing files are left alone (restoring history is the DBA's call, not repair's).
std::vector<RepairAction> plan_repair(const std::vector<StatusEntry>& status);

/// One line for users, e.g. "record checksum of 3 (x): old abc…, new def…" (full hex values).
std::string describe(const RepairAction& action);

} // namespace preflight::migrate
