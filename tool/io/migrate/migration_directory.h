#pragma once
// Reads a migrations folder (not recursive, as sqlx) into the pure discovery step.

#include <string>
#include <vector>

#include "core/migrate/migration_set.h"
#include "core/migrate/new_migration.h"

namespace preflight::migrate {

/// The regular files directly in `dir`, sorted by name; throws Error(input) if `dir` is not a
/// readable folder.
std::vector<SourceFile> read_migration_files(const std::string& dir);

} // namespace preflight::migrate

namespace preflight::migrate {

/// The names of the regular files directly in `dir` (empty if `dir` does not exist yet).
std::vector<std::string> list_file_names(const std::string& dir);

/// Creates `dir` if needed and the files of `created` in it with a one-line comment each;
/// returns their paths. Throws Error(input) without writing anything if one already exists.
std::vector<std::string> create_migration_files(const std::string& dir,
                                                const NewMigration& created);

} // namespace preflight::migrate
