#include "core/migrate/checksum.h"

#include <openssl/evp.h>

#include <array>
#include <memory>

#include "core/error.h"

namespace preflight::migrate {

Checksum sha384(std::string_view bytes) {
  // OpenSSL 3 looks the algorithm up again on every EVP_Digest(EVP_sha384()) call; for 10,000
  // small files that lookup costs more than the hashing. Fetch it once, keep a context per thread.
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA384", nullptr);
  thread_local const std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(),
                                                                            EVP_MD_CTX_free);
  Checksum digest(48);
  unsigned int size = 0;
  if (md == nullptr || ctx == nullptr || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), digest.data(), &size) != 1 || size != digest.size()) {
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
// A table, not branches: `migrate status` decodes 10,000 recorded checksums.
constexpr std::array<signed char, 256> k_hex_values = [] {
  std::array<signed char, 256> values{};
  values.fill(-1);
  for (int i = 0; i < 10; ++i)
    values[static_cast<std::size_t>('0' + i)] = static_cast<signed char>(i);
  for (int i = 0; i < 6; ++i) {
    values[static_cast<std::size_t>('a' + i)] = static_cast<signed char>(10 + i);
    values[static_cast<std::size_t>('A' + i)] = static_cast<signed char>(10 + i);
  }
  return values;
}();

int hex_value(char c) {
  return k_hex_values[static_cast<unsigned char>(c)];
}
} // namespace

Checksum from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) throw Error(ErrorKind::input, "hex string has an odd length");
  Checksum bytes(hex.size() / 2);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    int hi = hex_value(hex[2 * i]);
    int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) throw Error(ErrorKind::input, "not a hex digit in checksum");
    bytes[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  return bytes;
}

} // namespace preflight::migrate
