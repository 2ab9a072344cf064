#include "core/migrate/checksum.h"

#include <openssl/evp.h>

#include "core/error.h"

namespace preflight::migrate {

Checksum sha384(std::string_view bytes) {
  Checksum digest(48);
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, EVP_sha384(), nullptr) != 1 ||
      size != digest.size()) {
    throw Error(ErrorKind::internal, "OpenSSL could not compute SHA-384");
  }
  return digest;
}

std::string to_hex(const Checksum& bytes) {
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (auto b : bytes) {
    hex.push_back(k_digits[b >> 4U]);
    hex.push_back(k_digits[b & 0x0FU]);
  }
  return hex;
}

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

Checksum from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) throw Error(ErrorKind::input, "hex string has an odd length");
  Checksum bytes;
  bytes.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int hi = hex_value(hex[i]);
    int lo = hex_value(hex[i + 1]);
    if (hi < 0 || lo < 0) throw Error(ErrorKind::input, "not a hex digit in checksum");
    bytes.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
  }
  return bytes;
}

}  // namespace preflight::migrate
