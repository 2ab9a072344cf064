#pragma once
// Checks of one folder entry that looks like a migration, for every layout: it must be a regular
// file (a migration that silently does not run is lost work) and its name must hold no control
// character (names reach terminals, history descriptions and JSON).

#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace preflight::migrate {

struct SourceFile;

/// `text` with control characters (C0, DEL) written as \n, \t, \r or \xHH, for messages.
std::string escape_control_characters(std::string_view text);

/// Error(input) naming `file` (its path escaped) if its name holds a control character or the
/// entry is not a regular file; nullopt if it can be read as a migration.
std::optional<Error> check_migration_entry(const SourceFile& file);

} // namespace preflight::migrate
