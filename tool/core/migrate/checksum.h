#pragma once
// Migration checksums, byte-compatible with sqlx: SHA-384 of the file's exact bytes.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace preflight::migrate {

using Checksum = std::vector<std::uint8_t>; // 48 bytes for SHA-384; any length when read back

/// SHA-384 of `bytes` (through OpenSSL's EVP interface).
Checksum sha384(std::string_view bytes);

/// Lower-case hex of `bytes`.
std::string to_hex(const Checksum& bytes);

/// Parses lower- or upper-case hex; throws Error(input) on odd length or a non-hex digit.
Checksum from_hex(std::string_view hex);

} // namespace preflight::migrate
