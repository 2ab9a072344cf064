#include "core/migrate/lock_key.h"

#include <array>

namespace preflight::migrate {

namespace {
constexpr std::array<std::uint32_t, 256> make_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t n = 0; n < 256; ++n) {
    std::uint32_t c = n;
    for (int k = 0; k < 8; ++k) c = (c & 1U) ? 0xEDB88320U ^ (c >> 1U) : c >> 1U;
    table[n] = c;
  }
  return table;
}
constexpr auto k_crc_table = make_table();
} // namespace

std::uint32_t crc32(std::string_view bytes) {
  std::uint32_t c = 0xFFFFFFFFU;
  for (char ch : bytes) c = k_crc_table[(c ^ static_cast<unsigned char>(ch)) & 0xFFU] ^ (c >> 8U);
  return c ^ 0xFFFFFFFFU;
}

std::int64_t migration_lock_key(std::string_view database_name) {
  // sqlx computes 0x3d32ad9e * (crc32 as i64) in i64; the product fits (both < 2^32 and the
  // multiplier < 2^30), so plain signed multiplication matches.
  return std::int64_t{0x3d32ad9e} * static_cast<std::int64_t>(crc32(database_name));
}

} // namespace preflight::migrate
