#pragma once
// `migrate baseline V`: take over a database that was set up without preflight by recording the
// migrations it already contains, without running them.

#include <cstdint>
#include <vector>

#include "core/migrate/history.h"

namespace preflight::migrate {

/// The migrations with version <= `version`, ascending. Throws Error(usage) when `version` is
/// not a known migration, Error(history) when `history` already has rows (baseline only starts
/// a history, it never rewrites one).
std::vector<const Migration*> plan_baseline(const MigrationSet& files,
                                            const std::vector<AppliedMigration>& history,
                                            std::int64_t version);

} // namespace preflight::migrate
