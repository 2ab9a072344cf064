#pragma once
// The advisory-lock key sqlx uses for migrations, so that preflight and sqlx exclude each other.

#include <cstdint>
#include <string_view>

namespace preflight::migrate {

/// CRC-32/ISO-HDLC (zlib's crc32) of `bytes`.
std::uint32_t crc32(std::string_view bytes);

/// sqlx's key: 0x3d32ad9e * crc32(database name), as a signed 64-bit integer
/// (sqlx-postgres, migrate.rs: generate_lock_id).
std::int64_t migration_lock_key(std::string_view database_name);

} // namespace preflight::migrate
