#include "core/migrate/lock_modes.h"

#include <array>
#include <utility>

namespace preflight::migrate {

namespace {

struct ModeNames {
  LockMode mode;
  const char* name;
  const char* pg;
};

constexpr std::array<ModeNames, 8> k_modes{{
    {LockMode::access_share, "ACCESS SHARE", "AccessShareLock"},
    {LockMode::row_share, "ROW SHARE", "RowShareLock"},
    {LockMode::row_exclusive, "ROW EXCLUSIVE", "RowExclusiveLock"},
    {LockMode::share_update_exclusive, "SHARE UPDATE EXCLUSIVE", "ShareUpdateExclusiveLock"},
    {LockMode::share, "SHARE", "ShareLock"},
    {LockMode::share_row_exclusive, "SHARE ROW EXCLUSIVE", "ShareRowExclusiveLock"},
    {LockMode::exclusive, "EXCLUSIVE", "ExclusiveLock"},
    {LockMode::access_exclusive, "ACCESS EXCLUSIVE", "AccessExclusiveLock"},
}};

} // namespace

std::string lock_mode_name(LockMode mode) {
  return k_modes[static_cast<std::size_t>(mode)].name;
}

std::optional<LockMode> lock_mode_from_pg(std::string_view pg_mode) {
  for (const auto& m : k_modes) {
    if (pg_mode == m.pg) return m.mode;
  }
  return std::nullopt;
}

std::optional<LockMode> lock_mode_from_number(int number) {
  if (number < 1 || number > 8) return std::nullopt;
  return k_modes[static_cast<std::size_t>(number - 1)].mode;
}

Blocked blocked_by(LockMode mode) {
  switch (mode) {
  case LockMode::access_share:
  case LockMode::row_share:
  case LockMode::row_exclusive: return Blocked::nothing;
  case LockMode::share_update_exclusive: return Blocked::other_ddl;
  case LockMode::share:
  case LockMode::share_row_exclusive:
  case LockMode::exclusive: return Blocked::writes;
  case LockMode::access_exclusive: return Blocked::reads_and_writes;
  }
  return Blocked::reads_and_writes;
}

std::string describe(Blocked blocked) {
  switch (blocked) {
  case Blocked::nothing: return "nothing (only DDL)";
  case Blocked::other_ddl: return "other DDL and VACUUM";
  case Blocked::writes: return "writes";
  case Blocked::reads_and_writes: return "reads and writes";
  }
  return "reads and writes";
}

bool is_dangerous(LockMode mode) {
  return mode >= LockMode::share;
}

} // namespace preflight::migrate
