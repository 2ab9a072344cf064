#pragma once
// The prelude every database command shares — configuration, then the migration files
// (validated before any connection), then the target, then a session — done in one place, for
// the one database the global options name or for each target of a fleet.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/app.h"
#include "core/migrate/layouts/layout.h"
#include "core/migrate/migration_set.h"
#include "io/fleet/target_list.h"
#include "io/pg/database_target.h"
#include "io/pg/pg_session.h"

namespace preflight::cli {

/// Which migration files a command reads before connecting.
enum class MigrationFiles {
  none,            // the command needs no migrations (or loads them itself)
  checked,         // names, bytes and SQL (commands that run them)
  names_and_bytes, // names and checksums only (status, verify: the SQL is checked by up and lint)
};

/// A session to one target, what to call the target in output, and where its history lives.
struct TargetConnection {
  std::unique_ptr<pg::DatabaseTarget> database; // keeps a throwaway cluster alive
  std::unique_ptr<pg::PgSession> session;
  std::string display;       // password-free: a masked URL, or the target's name in a fleet
  std::string history_table; // the configured table, in the target's schema for schema targets
};

class CommandContext {
public:
  /// Loads the configuration and the migration files `files` asks for; throws their Error(input).
  CommandContext(const GlobalOptions& globals, MigrationFiles files);

  const config::Config& config() const { return m_config; }
  /// The migration files (loaded as the constructor was asked; empty for `none`).
  const migrate::MigrationSet& files() const { return m_files; }
  /// The layout the files were read as (sqlx when no files were asked for).
  migrate::Layout layout() const { return m_layout; }

  /// Connects to the one database the global options name (a throwaway cluster for
  /// --ephemeral); throws Error(connection) without a password in it.
  TargetConnection connect(const std::string& application_name) const;
  /// Connects to a fleet target: its URL; for a schema target search_path is set to the schema
  /// (then public) and the history table is kept in that schema.
  TargetConnection connect(const config::TargetSpec& target,
                           const std::string& application_name) const;

private:
  const GlobalOptions& m_globals;
  config::Config m_config;
  migrate::MigrationSet m_files;
  migrate::Layout m_layout = migrate::Layout::sqlx;
};

} // namespace preflight::cli
