#pragma once
// One reader per tool: its file naming, directives and transaction rule, turning a folder's files
// into Candidates for assemble(). Each tool's file names the source and commit it follows.

#include <optional>
#include <string>
#include <vector>

#include "core/migrate/layouts/layout.h"

namespace preflight::migrate::layouts {

MigrationSet read_golang_migrate(std::vector<SourceFile>&& files, const DiscoveryOptions& options);
MigrationSet read_goose(std::vector<SourceFile>&& files, const DiscoveryOptions& options,
                        const LayoutOptions& layout_options);
MigrationSet read_dbmate(std::vector<SourceFile>&& files, const DiscoveryOptions& options);
MigrationSet read_flyway(std::vector<SourceFile>&& files, const DiscoveryOptions& options,
                         const LayoutOptions& layout_options);
MigrationSet read_diesel(std::vector<SourceFile>&& files, const DiscoveryOptions& options);

/// golang-migrate's name `{version}_{title}.{up|down}.{ext}`, split.
struct GolangMigrateName {
  std::string version; // digits
  std::string title;
  bool up = true;
  std::string extension;
};

/// The parts of a golang-migrate file name, if it is one (its regular expression in
/// source/parse.go).
std::optional<GolangMigrateName> golang_migrate_name(const std::string& name);

/// True if `bytes` hold goose's `-- +goose Up` annotation line.
bool has_goose_up(const std::string& bytes);

/// True if `bytes` hold dbmate's `-- migrate:up` directive line.
bool has_dbmate_up(const std::string& bytes);

/// True if `name` (the file's own name) is named like a Flyway SQL migration (V…__, U…__, R__).
bool flyway_named(const std::string& name);

/// True if `name` is `<leading digits>…` (dbmate's and goose's version prefix).
bool starts_with_digits(const std::string& name);

} // namespace preflight::migrate::layouts
