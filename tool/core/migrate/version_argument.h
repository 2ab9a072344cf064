#pragma once
// A version given on the command line (`--to V`, `baseline V`), turned into the key preflight
// orders migrations by: the version as the layout's tool writes it ("1.2" for Flyway,
// "20190101000000" for diesel) or a number.

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/migrate/layouts/layout.h"
#include "core/migrate/migration_set.h"

namespace preflight::migrate {

/// The key of the migration whose version its tool writes as `text` (Flyway: the version Flyway
/// compares equal, 1.0 being 1); else `text` as a number ("0": before every migration). Throws
/// Error(usage), naming `what` ("--to"), for text that is neither, and for a version no file has
/// in a folder whose keys are not its versions (dotted Flyway versions).
std::int64_t version_argument(const MigrationSet& files, Layout layout, std::string_view text,
                              std::string_view what);

/// version_argument() without the error: nullopt where that throws (text that is no version, a
/// dotted Flyway version no file has). A number is returned whether a file has it or not.
std::optional<std::int64_t> try_version_argument(const MigrationSet& files, Layout layout,
                                                 std::string_view text);

} // namespace preflight::migrate
