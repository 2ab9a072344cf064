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

/// `text` (a file's path or name) as messages show it: each byte that is not part of valid UTF-8
/// and each control character (C0, DEL) written as \xHH, or as \n, \t, \r.
std::string escape_file_name(std::string_view text);

/// Error(input) for the entry at `path` whose name is not valid UTF-8 (`kind`: "file" or
/// "folder"), naming it escaped.
Error name_not_utf8(std::string_view path, std::string_view kind = "file");

/// Error(input) naming `file` (its path escaped) if its name holds a control character or the
/// entry is not a regular file; nullopt if it can be read as a migration.
std::optional<Error> check_migration_entry(const SourceFile& file);

} // namespace preflight::migrate
