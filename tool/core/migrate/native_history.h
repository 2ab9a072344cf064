#pragma once
// The history tables of the tools whose layouts preflight reads (golang-migrate, goose, dbmate,
// Flyway, diesel), read into preflight's terms: which migrations they say are applied, the
// versions and checksums they write, and the advisory-lock keys they take. Pure: rows in,
// AppliedMigration values out.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/migrate/history.h"
#include "core/migrate/layouts/layout.h"

namespace preflight::migrate {

/// Which table holds the history: sqlx's _sqlx_migrations, or the layout's own tool's table.
enum class HistoryKind { sqlx, golang_migrate, goose, dbmate, flyway, diesel };

/// The native history kind of `layout` (sqlx for the sqlx layout).
HistoryKind native_history_kind(Layout layout);

/// The tool's default table name: "schema_migrations", "goose_db_version", "flyway_schema_history",
/// "__diesel_schema_migrations"; "_sqlx_migrations" for sqlx.
std::string_view native_table_name(HistoryKind kind);

/// "golang-migrate's schema_migrations", for messages.
std::string describe_history(HistoryKind kind);

/// True if the kind's table records a checksum of each migration (sqlx, Flyway).
bool records_checksum(HistoryKind kind);

/// The version of `migration` as `kind`'s tool writes it into its table (Flyway: '_' as '.',
/// leading zeros kept; diesel: without '-').
std::string native_version(HistoryKind kind, const Migration& migration);

/// Flyway's checksum of a file (ChecksumCalculator): CRC-32 of its lines without their line
/// breaks and without a leading byte order mark, as a signed 32-bit integer.
std::int32_t flyway_checksum(std::string_view bytes);

/// A Flyway checksum as the 4 big-endian bytes AppliedMigration::checksum keeps.
Checksum flyway_checksum_bytes(std::int32_t checksum);

/// golang-migrate's postgres lock key: CRC-32 of "schema\0table\0database" times 1486364155,
/// kept to 32 bits (database/util.go GenerateAdvisoryLockId).
std::int64_t golang_migrate_lock_key(std::string_view database, std::string_view schema,
                                     std::string_view table);

/// Flyway's PostgreSQL advisory-lock key: the magic number "Flyway" plus Java's String.hashCode
/// of the quoted table name `"schema"."table"`.
std::int64_t flyway_lock_key(std::string_view schema, std::string_view table);

/// goose's session locker key (lock/session_locker_options.go DefaultLockID).
inline constexpr std::int64_t k_goose_lock_key = 4097083626;

/// One row of a native table, as read.
struct NativeRow {
  std::string version;        // as stored; empty for NULL (Flyway's repeatable and schema rows)
  bool flag = true;           // goose is_applied, Flyway success, golang-migrate dirty
  std::string installed_on{}; // ISO 8601, when the table records it
  std::optional<std::int32_t> checksum{}; // Flyway
  std::string type{};                     // Flyway: SQL, UNDO_SQL, BASELINE, SCHEMA, …
  std::string description{};              // Flyway
  std::int64_t execution_time_ms = 0;     // Flyway
};

/// The migrations a native table's rows (in the table's own order: goose by id, Flyway by
/// installed_rank) say are applied, ascending by version, matched with `files` by the version
/// the tool writes. Throws Error(history) for a row whose version no file has and that is no
/// number either.
std::vector<AppliedMigration> native_applied(HistoryKind kind, const MigrationSet& files,
                                             const std::vector<NativeRow>& rows);

} // namespace preflight::migrate
