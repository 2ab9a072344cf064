#include "cli/command_context.h"

#include <fmt/format.h>

#include "io/migrate/layout_directory.h"

namespace preflight::cli {

CommandContext::CommandContext(const GlobalOptions& globals, MigrationFiles files)
    : m_globals(globals), m_config(globals.load_config()) {
  if (files == MigrationFiles::checked) {
    m_files = migrate::load_layout_migrations(m_config.migrations, m_config.layout, {}, &m_layout);
  } else if (files == MigrationFiles::names_and_bytes) {
    m_files = migrate::load_layout_migrations(m_config.migrations, m_config.layout,
                                              migrate::DiscoveryOptions{false}, &m_layout);
  }
}

TargetConnection CommandContext::connect(const std::string& application_name) const {
  TargetConnection cx;
  cx.database = std::make_unique<pg::DatabaseTarget>(m_globals.target_request());
  cx.session = cx.database->connect(application_name);
  cx.display = cx.database->display();
  cx.history_table = m_config.history_table;
  return cx;
}

TargetConnection CommandContext::connect(const config::TargetSpec& target,
                                         const std::string& application_name) const {
  TargetConnection cx;
  cx.display = target.name;
  cx.history_table = m_config.history_table;
  if (!target.schema.empty() && cx.history_table.find('.') != std::string::npos) {
    throw Error(ErrorKind::input,
                fmt::format("target `{}` has a schema, but history_table = \"{}\" names one too",
                            target.name, cx.history_table),
                "a schema target keeps its history in its own schema: set history_table to a "
                "table name without a schema",
                target.location);
  }
  cx.session = pg::PgSession::connect(target.url, application_name);
  if (!target.schema.empty()) {
    const std::string schema = cx.session->quote_name(target.schema);
    auto exists = cx.session->exec_params("SELECT count(*) FROM pg_namespace WHERE nspname = $1",
                                          {target.schema});
    if (exists.get_int(0, 0) == 0) {
      throw Error(ErrorKind::problem,
                  fmt::format("schema \"{}\" does not exist in this database", target.schema),
                  fmt::format("create it first (CREATE SCHEMA {})", schema), target.location);
    }
    // Tables a migration creates without a schema go to the tenant's schema; shared objects in
    // public (extensions' functions) stay reachable.
    cx.session->exec(fmt::format("SET search_path TO {}, public", schema));
    cx.history_table = target.schema + "." + cx.history_table;
  }
  return cx;
}

} // namespace preflight::cli
