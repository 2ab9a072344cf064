#pragma once
// Migration folder layouts of other tools (golang-migrate, goose, dbmate, Flyway, diesel) besides
// sqlx's: which one a folder is, and reading it exactly as its own tool reads it. Pure: (path,
// bytes) pairs in, a MigrationSet or located errors out.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/migrate/migration_set.h"

namespace preflight::migrate {

enum class Layout { sqlx, golang_migrate, goose, dbmate, flyway, diesel };

/// The layout's name as users write it: "sqlx", "golang-migrate", "goose", "dbmate", "flyway",
/// "diesel".
std::string_view layout_name(Layout layout);

/// The layout named `name` (case-insensitive; "golang_migrate" and "migrate" also accepted).
std::optional<Layout> layout_from_name(std::string_view name);

/// Every layout name, for messages and help texts ("sqlx, golang-migrate, …").
std::string layout_names();

/// What a layout needs from outside the files.
struct LayoutOptions {
  /// goose's `-- +goose ENVSUB ON`: the environment its ${VAR} references read.
  std::map<std::string, std::string> environment;
  /// Flyway's `${name}` placeholders beyond its defaults (flyway:filename, flyway:table).
  std::map<std::string, std::string> placeholders;
};

/// The layout of a folder's files (SourceFile::name is the path below the folder, with "/" for
/// files in sub-folders). A folder with no file at all is sqlx's (empty). Throws Error(input)
/// naming the files that decide it when files match no layout or more than one.
Layout detect_layout(const std::vector<SourceFile>& files);

/// Reads the files as `layout`'s tool reads them; throws one Error(input) with every problem
/// (naming, duplicates, directives, SQL, transaction rules) located at file:line:column. A down
/// script's problem is kept on the script (Script::problem) for the command that runs it.
MigrationSet discover_layout(Layout layout, std::vector<SourceFile>&& files,
                             const DiscoveryOptions& options = {},
                             const LayoutOptions& layout_options = {});

/// The layout `name` names (empty: detect_layout(files)); throws Error(usage) for an unknown
/// name, else like detect_layout().
Layout resolve_layout(const std::string& name, const std::vector<SourceFile>& files);

/// A migrations folder's entries read as the layout `name` says ("" detects it). First, for
/// every layout, refuses at once each entry named like SQL that cannot be read as a migration
/// (check_migration_entry): left to a layout, it would pass for an empty script. Stores the layout
/// used in `*chosen` when given; throws like resolve_layout() and discover_layout().
MigrationSet discover_folder(std::vector<SourceFile>&& files, const std::string& name,
                             const DiscoveryOptions& options = {},
                             const LayoutOptions& layout_options = {}, Layout* chosen = nullptr);

} // namespace preflight::migrate
