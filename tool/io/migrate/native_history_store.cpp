#include "io/migrate/native_history_store.h"

#include <fmt/format.h>

#include "io/migrate/history_store.h"

namespace preflight::migrate {

namespace {

// The newest file version below `version` (golang-migrate's source driver Prev), if any.
std::optional<std::int64_t> previous_version(const MigrationSet& files, std::int64_t version) {
  std::optional<std::int64_t> previous;
  for (const auto& m : files.all()) {
    if (m.version >= version) break;
    previous = m.version;
  }
  return previous;
}

constexpr const char* k_iso = "'YYYY-MM-DD\"T\"HH24:MI:SS'";

} // namespace

NativeHistoryStore::NativeHistoryStore(pg::PgSession& session, HistoryKind kind)
    : m_session(session), m_kind(kind), m_name(native_table_name(kind)),
      m_table(session.quote_name(m_name)) {}

void NativeHistoryStore::pin_schema() {
  // Where the tools' unqualified name resolves: the schema holding the table through
  // search_path, else current_schema(), where each of them creates it.
  auto r = m_session.exec_params(
      "SELECT coalesce((SELECT n.nspname::text FROM pg_class c JOIN pg_namespace n "
      "ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)), current_schema()::text)",
      {m_table});
  if (r.is_null(0, 0)) {
    m_cannot_create =
        Error(ErrorKind::input,
              fmt::format("{}: search_path names no existing schema to create it in",
                          describe_history(m_kind)),
              "set search_path (e.g. in the database URL's options) to an existing schema");
    return;
  }
  m_schema = r.get(0, 0);
  m_table = m_session.quote_name(m_schema) + "." + m_session.quote_name(m_name);
}

void NativeHistoryStore::check_can_create() const {
  if (m_cannot_create) throw *m_cannot_create;
}

bool NativeHistoryStore::exists() {
  return m_session.exec_params("SELECT to_regclass($1) IS NOT NULL", {m_table}).get_bool(0, 0);
}

void NativeHistoryStore::ensure() {
  check_can_create();
  const std::string& t = m_table;
  switch (m_kind) {
  case HistoryKind::golang_migrate:
    // database/postgres/postgres.go ensureVersionTable.
    m_session.exec(fmt::format("CREATE TABLE IF NOT EXISTS {} (version bigint not null primary "
                               "key, dirty boolean not null)",
                               t));
    return;
  case HistoryKind::goose:
    // goose creates the table and its version 0 row in one transaction (createVersionTable).
    if (exists()) return;
    m_session.exec(fmt::format("BEGIN; CREATE TABLE {} (\n\t\tid integer PRIMARY KEY GENERATED "
                               "BY DEFAULT AS IDENTITY,\n\t\tversion_id bigint NOT NULL,\n\t\t"
                               "is_applied boolean NOT NULL,\n\t\ttstamp timestamp NOT NULL "
                               "DEFAULT now()\n\t); INSERT INTO {} (version_id, is_applied) "
                               "VALUES (0, true); COMMIT",
                               t, t));
    return;
  case HistoryKind::dbmate:
    m_session.exec(fmt::format("create table if not exists {} (version varchar primary key)", t));
    return;
  case HistoryKind::flyway: {
    if (exists()) return;
    // PostgreSQLDatabase.getRawCreateScript (no tablespace, no baseline row).
    const std::string pk = m_session.quote_name(m_name + "_pk");
    const std::string index = m_session.quote_name(m_name + "_s_idx");
    m_session.exec(fmt::format(
        "BEGIN; CREATE TABLE {} (\n    \"installed_rank\" INT NOT NULL,\n    \"version\" "
        "VARCHAR(50),\n    \"description\" VARCHAR(200) NOT NULL,\n    \"type\" VARCHAR(20) NOT "
        "NULL,\n    \"script\" VARCHAR(1000) NOT NULL,\n    \"checksum\" INTEGER,\n    "
        "\"installed_by\" VARCHAR(100) NOT NULL,\n    \"installed_on\" TIMESTAMP NOT NULL "
        "DEFAULT now(),\n    \"execution_time\" INTEGER NOT NULL,\n    \"success\" BOOLEAN NOT "
        "NULL\n);\nALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY (\"installed_rank\");\nCREATE "
        "INDEX {} ON {} (\"success\"); COMMIT",
        t, t, pk, index, t));
    return;
  }
  case HistoryKind::diesel:
    // diesel/src/migration/setup_migration_table.sql.
    m_session.exec(fmt::format("CREATE TABLE IF NOT EXISTS {} (\n       version VARCHAR(50) "
                               "PRIMARY KEY NOT NULL,\n       run_on TIMESTAMP NOT NULL DEFAULT "
                               "CURRENT_TIMESTAMP\n)",
                               t));
    return;
  case HistoryKind::sqlx: break;
  }
}

std::vector<AppliedMigration> NativeHistoryStore::list(const MigrationSet& files) {
  std::vector<NativeRow> rows;
  if (!exists()) return {};
  const std::string& t = m_table;
  switch (m_kind) {
  case HistoryKind::golang_migrate: {
    auto r = m_session.exec(fmt::format("SELECT version::text, dirty FROM {} LIMIT 1", t));
    for (int i = 0; i < r.rows(); ++i) rows.push_back({r.get(i, 0), r.get_bool(i, 1)});
    break;
  }
  case HistoryKind::goose: {
    auto r = m_session.exec(fmt::format("SELECT version_id::text, is_applied, "
                                        "coalesce(to_char(tstamp, {}), '') FROM {} ORDER BY id",
                                        k_iso, t));
    for (int i = 0; i < r.rows(); ++i) {
      rows.push_back({r.get(i, 0), r.get_bool(i, 1), r.get(i, 2)});
    }
    break;
  }
  case HistoryKind::dbmate: {
    auto r = m_session.exec(fmt::format("SELECT version FROM {} ORDER BY version", t));
    for (int i = 0; i < r.rows(); ++i) rows.push_back({r.get(i, 0)});
    break;
  }
  case HistoryKind::diesel: {
    auto r = m_session.exec(fmt::format(
        "SELECT version, coalesce(to_char(run_on, {}), '') FROM {} ORDER BY version", k_iso, t));
    for (int i = 0; i < r.rows(); ++i) rows.push_back({r.get(i, 0), true, r.get(i, 1)});
    break;
  }
  case HistoryKind::flyway: rows = flyway_rows(); break;
  case HistoryKind::sqlx: break;
  }
  return native_applied(m_kind, files, rows);
}

std::vector<NativeRow> NativeHistoryStore::flyway_rows() {
  std::vector<NativeRow> rows;
  auto r = m_session.exec(
      fmt::format("SELECT coalesce(version, ''), success, coalesce(to_char(installed_on, {}), ''), "
                  "checksum, type, description, execution_time FROM {} ORDER BY installed_rank",
                  k_iso, m_table));
  for (int i = 0; i < r.rows(); ++i) {
    NativeRow row{r.get(i, 0), r.get_bool(i, 1), r.get(i, 2)};
    if (!r.is_null(i, 3)) row.checksum = static_cast<std::int32_t>(r.get_int(i, 3));
    row.type = r.get(i, 4);
    row.description = r.get(i, 5);
    row.execution_time_ms = r.get_int(i, 6);
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<RepeatableRun> NativeHistoryStore::repeatable_runs() {
  if (m_kind != HistoryKind::flyway || !exists()) return {};
  return flyway_repeatable_runs(flyway_rows());
}

std::string NativeHistoryStore::golang_migrate_set(std::optional<std::int64_t> version,
                                                   bool dirty) const {
  // SetVersion: TRUNCATE, then a row unless the version is nil and clean.
  std::string sql = "TRUNCATE " + m_table;
  if (version || dirty) {
    sql += fmt::format("; INSERT INTO {} (version, dirty) VALUES ({}, {})", m_table,
                       version.value_or(-1), dirty ? "true" : "false");
  }
  return sql;
}

std::string NativeHistoryStore::flyway_row(const Migration& migration, const Script& script,
                                           const char* type, bool success,
                                           std::int64_t execution_time_ns) {
  // installed_rank is the last one plus 1 (SchemaHistory.calculateInstalledRank); installed_by
  // is current_user (PostgreSQLDatabase.doGetCurrentUser); execution_time in milliseconds.
  return fmt::format(
      "INSERT INTO {0} (installed_rank, version, description, type, script, checksum, "
      "installed_by, execution_time, success) SELECT coalesce(max(installed_rank), 0) + 1, {1}, "
      "{2}, {3}, {4}, {5}, current_user, {6}, {7} FROM {0}",
      m_table,
      migration.repeatable ? "NULL" : m_session.quote_literal(native_version(m_kind, migration)),
      m_session.quote_literal(migration.description), m_session.quote_literal(type),
      m_session.quote_literal(script.native_name),
      script.native_checksum ? std::to_string(*script.native_checksum) : "NULL",
      execution_time_ns / 1'000'000, success ? "true" : "false");
}

std::string NativeHistoryStore::applied_sql(const Migration& migration, const MigrationSet& files,
                                            std::int64_t execution_time_ns) {
  (void)files;
  const std::string version = m_session.quote_literal(native_version(m_kind, migration));
  switch (m_kind) {
  case HistoryKind::golang_migrate: return golang_migrate_set(migration.version, false);
  case HistoryKind::goose:
    return fmt::format("INSERT INTO {} (version_id, is_applied) VALUES ({}, true)", m_table,
                       migration.version);
  case HistoryKind::dbmate:
    return fmt::format("insert into {} (version) values ({})", m_table, version);
  case HistoryKind::diesel:
    return fmt::format("INSERT INTO {} (version) VALUES ({})", m_table, version);
  case HistoryKind::flyway:
    return flyway_row(migration, migration.up, "SQL", true, execution_time_ns);
  case HistoryKind::sqlx: break;
  }
  return {};
}

std::string NativeHistoryStore::reverted_sql(const Migration& migration, const MigrationSet& files,
                                             std::int64_t execution_time_ns) {
  const std::string version = m_session.quote_literal(native_version(m_kind, migration));
  switch (m_kind) {
  case HistoryKind::golang_migrate:
    return golang_migrate_set(previous_version(files, migration.version), false);
  case HistoryKind::goose:
    return fmt::format("DELETE FROM {} WHERE version_id={}", m_table, migration.version);
  case HistoryKind::dbmate:
    return fmt::format("delete from {} where version = {}", m_table, version);
  case HistoryKind::diesel:
    return fmt::format("DELETE FROM {} WHERE version = {}", m_table, version);
  case HistoryKind::flyway:
    // Flyway's undo (U…__ files) adds an UNDO_SQL row; the versioned row stays as history.
    return flyway_row(migration, *migration.down, "UNDO_SQL", true, execution_time_ns);
  case HistoryKind::sqlx: break;
  }
  return {};
}

void NativeHistoryStore::before_untransacted(const Migration& migration, const MigrationSet& files,
                                             bool up) {
  // golang-migrate marks the target version dirty before running (migrate.go runMigrations); the
  // other tools write nothing before.
  if (m_kind != HistoryKind::golang_migrate) return;
  const auto target = up ? std::optional<std::int64_t>(migration.version)
                         : previous_version(files, migration.version);
  m_session.exec("BEGIN; " + golang_migrate_set(target, true) + "; COMMIT");
}

void NativeHistoryStore::after_untransacted(const Migration& migration, const MigrationSet& files,
                                            bool up, bool success, std::int64_t execution_time_ns) {
  if (m_kind == HistoryKind::flyway) {
    // Flyway records a failed migration it could not roll back as a row with success = false.
    const Script& script = up ? migration.up : *migration.down;
    m_session.exec(
        flyway_row(migration, script, up ? "SQL" : "UNDO_SQL", success, execution_time_ns));
    return;
  }
  // golang-migrate leaves the version dirty on failure; goose, dbmate and diesel record nothing.
  if (!success) return;
  const std::string sql = up ? applied_sql(migration, files, execution_time_ns)
                             : reverted_sql(migration, files, execution_time_ns);
  m_session.exec("BEGIN; " + sql + "; COMMIT");
}

void NativeHistoryStore::repair(const RepairAction& action, const MigrationSet& files) {
  const Migration* migration = files.find(action.version);
  switch (m_kind) {
  case HistoryKind::golang_migrate:
    // A dirty version fixed by hand: what `migrate force <previous version>` writes.
    if (action.kind == RepairKind::remove_failed_row)
      m_session.exec(golang_migrate_set(previous_version(files, action.version), false));
    return;
  case HistoryKind::flyway: {
    if (action.repeatable) {
      // Flyway's repair removes failed rows, a repeatable's too (version NULL).
      m_session.exec(fmt::format("DELETE FROM {} WHERE version IS NULL AND description = {} AND "
                                 "NOT success",
                                 m_table, m_session.quote_literal(action.description)));
      return;
    }
    const std::string version = m_session.quote_literal(
        migration ? native_version(m_kind, *migration) : action.shown_version());
    if (action.kind == RepairKind::remove_failed_row) {
      // Flyway's repair removes failed rows.
      m_session.exec(
          fmt::format("DELETE FROM {} WHERE version = {} AND NOT success", m_table, version));
    } else if (migration && migration->up.native_checksum) {
      // … and realigns the checksums of applied migrations with the files.
      m_session.exec(fmt::format("UPDATE {} SET checksum = {} WHERE version = {} AND type = 'SQL'",
                                 m_table, *migration->up.native_checksum, version));
    }
    return;
  }
  default: return; // the other tables record neither checksums nor failures
  }
}

std::optional<std::int64_t> NativeHistoryStore::tool_lock_key() {
  switch (m_kind) {
  case HistoryKind::golang_migrate:
    return golang_migrate_lock_key(m_session.database_name(), m_schema, m_name);
  case HistoryKind::flyway: return flyway_lock_key(m_schema, m_name);
  case HistoryKind::goose: return k_goose_lock_key;
  default: return std::nullopt; // dbmate and diesel take no lock
  }
}

std::vector<const Migration*> plan_up_against(HistoryTable& store, const MigrationSet& files,
                                              const UpOptions& options) {
  auto plan = plan_up(files, store.list(files), options);
  if (!files.repeatables().empty()) {
    auto again = plan_repeatables(repeatable_status(files, store.repeatable_runs()));
    plan.insert(plan.end(), again.begin(), again.end());
  }
  return plan;
}

HistoryKind resolve_history_kind(pg::PgSession& session, const HistorySetting& setting) {
  const HistoryKind native = native_history_kind(setting.layout);
  if (native == HistoryKind::sqlx || setting.mode == "sqlx") return HistoryKind::sqlx;
  if (setting.mode == "native") return native;
  // By default the tool's table, unless this database keeps sqlx's history: only preflight makes
  // that table in another tool's project (migrate adopt, history = "sqlx", or an earlier
  // preflight), and reading the tool's table instead would run its migrations twice.
  HistoryStore sqlx(session, setting.sqlx_table);
  auto r = session.exec_params("SELECT to_regclass($1) IS NOT NULL", {sqlx.quoted_table()});
  return r.get_bool(0, 0) ? HistoryKind::sqlx : native;
}

std::unique_ptr<HistoryTable> open_history_table(pg::PgSession& session,
                                                 const HistorySetting& setting) {
  const HistoryKind kind = resolve_history_kind(session, setting);
  if (kind == HistoryKind::sqlx) return std::make_unique<HistoryStore>(session, setting.sqlx_table);
  return std::make_unique<NativeHistoryStore>(session, kind);
}

} // namespace preflight::migrate
