#include "io/migrate/history_store.h"

#include <cstdint>
#include <limits>

#include <fmt/format.h>

#include "core/migrate/flyway_version.h"

namespace preflight::migrate {

HistoryStore::HistoryStore(pg::PgSession& session, const std::string& table)
    : m_session(session), m_name(table) {
  auto dot = table.find('.');
  if (table.empty() ||
      (dot != std::string::npos &&
       (dot == 0 || dot + 1 == table.size() || table.find('.', dot + 1) != std::string::npos))) {
    throw Error(ErrorKind::usage,
                fmt::format("history table name \"{}\" is not [schema.]table", table));
  }
  m_table = dot == std::string::npos ? session.quote_name(table)
                                     : session.quote_name(table.substr(0, dot)) + "." +
                                           session.quote_name(table.substr(dot + 1));
  m_table_only = dot == std::string::npos ? table : table.substr(dot + 1);
}

void HistoryStore::pin_schema() {
  const auto dot = m_name.find('.');
  std::optional<std::string> schema;
  if (dot != std::string::npos) {
    schema = m_name.substr(0, dot);
    auto r =
        m_session.exec_params("SELECT count(*) FROM pg_namespace WHERE nspname = $1", {*schema});
    if (r.get_int(0, 0) == 0) {
      m_cannot_create = Error(
          ErrorKind::input,
          fmt::format("history table {}: schema \"{}\" does not exist", m_name, *schema),
          fmt::format("create it first (CREATE SCHEMA {}), or set history_table in preflight.toml "
                      "to a table in an existing schema",
                      m_session.quote_name(*schema)));
    }
    return;
  }
  // Where sqlx's unqualified name resolves now: the schema holding the table, else the one that
  // CREATE TABLE would use.
  auto r = m_session.exec_params(
      "SELECT coalesce((SELECT n.nspname::text FROM pg_class c JOIN pg_namespace n "
      "ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)), current_schema()::text)",
      {m_table});
  if (r.is_null(0, 0)) {
    m_cannot_create =
        Error(ErrorKind::input,
              fmt::format("history table {}: search_path names no existing schema to create it in",
                          m_name),
              "set search_path (e.g. in the database URL's options) to an existing schema, or set "
              "history_table in preflight.toml to a schema-qualified name");
    return;
  }
  m_table = m_session.quote_name(r.get(0, 0)) + "." + m_session.quote_name(m_table_only);
}

void HistoryStore::check_can_create() const {
  // Only set when the table cannot exist either: its schema is missing.
  if (m_cannot_create) throw *m_cannot_create;
}

bool HistoryStore::exists() {
  auto r = m_session.exec_params("SELECT to_regclass($1) IS NOT NULL", {m_table});
  return r.get_bool(0, 0);
}

void HistoryStore::ensure() {
  check_can_create();
  // sqlx's definition, column for column (sqlx-postgres migrate.rs, ensure_migrations_table).
  m_session.exec(fmt::format(R"(CREATE TABLE IF NOT EXISTS {} (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),
    success BOOLEAN NOT NULL,
    checksum BYTEA NOT NULL,
    execution_time BIGINT NOT NULL
))",
                             m_table));
}

namespace {

// Big-endian integer of a binary int8 / bool value; 0 for NULL (as the text form's "" gave).
std::int64_t binary_int(std::string_view value) {
  std::uint64_t n = 0;
  for (char c : value) n = (n << 8U) | static_cast<unsigned char>(c);
  return static_cast<std::int64_t>(n);
}

// A binary timestamp (microseconds since 2000-01-01) as PostgreSQL's
// to_char(…, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') prints it: seconds truncated, BC years without a sign,
// and nothing for ±infinity (to_char gives NULL).
std::string iso_utc(std::int64_t microseconds) {
  if (microseconds == std::numeric_limits<std::int64_t>::max() ||
      microseconds == std::numeric_limits<std::int64_t>::min()) {
    return {};
  }
  constexpr std::int64_t k_day = 86'400'000'000;
  std::int64_t days = microseconds / k_day;
  std::int64_t rest = microseconds % k_day;
  if (rest < 0) {
    rest += k_day;
    --days;
  }
  const std::int64_t seconds = rest / 1'000'000;
  // Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's civil_from_days).
  const std::int64_t z = days + 10957 + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", year <= 0 ? 1 - year : year, month,
                     day, seconds / 3600, seconds / 60 % 60, seconds % 60);
}

} // namespace

std::vector<AppliedMigration> HistoryStore::list(const MigrationSet& files) {
  refuse_unkeyable_in_sqlx_history(files);
  return list();
}

std::vector<AppliedMigration> HistoryStore::list() {
  std::vector<AppliedMigration> rows;
  // One round trip for both: is there a table, and does it have sqlx's columns?
  auto shape = m_session.exec_params(
      "SELECT to_regclass($1) IS NOT NULL, (SELECT string_agg(u.c, ', ' ORDER BY u.o) FROM "
      "unnest(ARRAY['version', 'description', 'installed_on', 'success', 'checksum', "
      "'execution_time']) WITH ORDINALITY AS u(c, o) WHERE NOT EXISTS (SELECT 1 FROM pg_attribute "
      "a WHERE a.attrelid = to_regclass($1) AND a.attname = u.c AND a.attnum > 0 AND NOT "
      "a.attisdropped))",
      {m_table});
  if (!shape.get_bool(0, 0)) return rows;
  if (!shape.is_null(0, 1)) {
    const std::string missing = shape.get(0, 1);
    throw Error(ErrorKind::history,
                fmt::format("history table {} does not have sqlx's shape: it has no column{} {}",
                            m_name, missing.find(',') == std::string::npos ? "" : "s", missing),
                "point history_table in preflight.toml at a table sqlx or preflight created (its "
                "columns: version, description, installed_on, success, checksum, "
                "execution_time), or at a new name, which preflight creates");
  }
  // Binary values: the checksum arrives as its 48 bytes and the time as one integer, sparing the
  // server a to_char and an encode per row (most of the query's time on 10,000 rows) and the
  // client the hex decoding. The casts pin the binary layouts read below.
  auto r = m_session.exec_binary(fmt::format(
      "SELECT version::bigint, description::text, installed_on::timestamptz, success::boolean, "
      "checksum::bytea, execution_time::bigint FROM {} ORDER BY version",
      m_table));
  rows.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    const auto checksum = r.view(i, 4);
    const auto installed_on = r.view(i, 2); // 8 bytes, or none for NULL
    rows.push_back({binary_int(r.view(i, 0)), std::string(r.view(i, 1)),
                    installed_on.empty() ? std::string() : iso_utc(binary_int(installed_on)),
                    binary_int(r.view(i, 3)) != 0, Checksum(checksum.begin(), checksum.end()),
                    binary_int(r.view(i, 5))});
  }
  return rows;
}

void HistoryStore::insert(const Migration& migration, bool success,
                          std::int64_t execution_time_ns) {
  m_session.exec_params(
      fmt::format("INSERT INTO {} (version, description, success, checksum, execution_time) "
                  "VALUES ($1, $2, $3, decode($4, 'hex'), $5)",
                  m_table),
      {std::to_string(migration.version), migration.description, success ? "true" : "false",
       to_hex(migration.checksum), std::to_string(execution_time_ns)});
}

std::string HistoryStore::insert_statement(const Migration& migration, bool success,
                                           std::int64_t execution_time_ns) {
  return fmt::format("INSERT INTO {} (version, description, success, checksum, execution_time) "
                     "VALUES ({}, {}, {}, decode('{}', 'hex'), {})",
                     m_table, migration.version, m_session.quote_literal(migration.description),
                     success ? "true" : "false", to_hex(migration.checksum), execution_time_ns);
}

void HistoryStore::finish(std::int64_t version, bool success, std::int64_t execution_time_ns) {
  m_session.exec_params(
      fmt::format("UPDATE {} SET execution_time = $2, success = $3 WHERE version = $1", m_table),
      {std::to_string(version), std::to_string(execution_time_ns), success ? "true" : "false"});
}

void HistoryStore::remove(std::int64_t version) {
  m_session.exec_params(fmt::format("DELETE FROM {} WHERE version = $1", m_table),
                        {std::to_string(version)});
}

void HistoryStore::update_checksum(std::int64_t version, const Checksum& checksum) {
  m_session.exec_params(
      fmt::format("UPDATE {} SET checksum = decode($2, 'hex') WHERE version = $1", m_table),
      {std::to_string(version), to_hex(checksum)});
}

std::string HistoryStore::applied_sql(const Migration& migration, const MigrationSet& /*files*/,
                                      std::int64_t execution_time_ns) {
  return insert_statement(migration, true, execution_time_ns);
}

std::string HistoryStore::reverted_sql(const Migration& migration, const MigrationSet& /*files*/,
                                       std::int64_t /*execution_time_ns*/) {
  return fmt::format("DELETE FROM {} WHERE version = {}", m_table, migration.version);
}

void HistoryStore::before_untransacted(const Migration& migration, const MigrationSet& /*files*/,
                                       bool up) {
  // Recorded as failed before it starts, so that a crash half-way leaves a visible failed row
  // that blocks further runs until `migrate repair`.
  if (up) insert(migration, false);
}

void HistoryStore::after_untransacted(const Migration& migration, const MigrationSet& /*files*/,
                                      bool up, bool success, std::int64_t execution_time_ns) {
  // Up: the row inserted before; down: the applied row, which a failure leaves partly reverted.
  if (success && !up) {
    remove(migration.version);
  } else {
    finish(migration.version, success, execution_time_ns);
  }
}

void HistoryStore::repair(const RepairAction& action, const MigrationSet& /*files*/) {
  if (action.kind == RepairKind::record_checksum) {
    update_checksum(action.version, action.file);
  } else {
    remove(action.version);
  }
}

} // namespace preflight::migrate
