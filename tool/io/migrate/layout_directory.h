#pragma once
// Reads a migrations folder in any layout: its files and those of its direct sub-folders (diesel
// keeps each migration in one), the layout from the configuration or detected, and the
// environment goose's ENVSUB reads.

#include <string>
#include <vector>

#include "core/migrate/layouts/layout.h"
#include "core/migrate/migration_set.h"

namespace preflight::migrate {

/// The regular files of `dir` and of its direct sub-folders ("sub/file" names), sorted by name;
/// throws Error(input) if `dir` is not a readable folder.
std::vector<SourceFile> read_layout_files(const std::string& dir);

/// What `migrate new` needs of `dir`, read once: its layout (the one `name` names, else the one
/// its files show; sqlx for a folder that is empty or does not exist yet) and the names
/// read_layout_files() gives its files.
struct NewMigrationFolder {
  Layout layout = Layout::sqlx;
  std::vector<std::string> names;
};
NewMigrationFolder read_new_migration_folder(const std::string& dir, const std::string& name);

/// The migrations of `dir` read as `layout` says ("" detects it); throws like discover_folder().
/// The layout used is stored in `*chosen` when given.
MigrationSet load_layout_migrations(const std::string& dir, const std::string& layout,
                                    const DiscoveryOptions& options = {}, Layout* chosen = nullptr);

} // namespace preflight::migrate
