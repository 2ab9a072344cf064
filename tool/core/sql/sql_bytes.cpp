#include "core/sql/sql_bytes.h"

#include <cstdint>
#include <cstring>

#include <fmt/format.h>

#include "core/sql/text_position.h"

namespace preflight::sql {

std::size_t invalid_utf8_offset(std::string_view text) {
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t extra = 0;
    std::uint32_t cp = 0;
    if ((c & 0xE0U) == 0xC0U) {
      extra = 1;
      cp = c & 0x1FU;
    } else if ((c & 0xF0U) == 0xE0U) {
      extra = 2;
      cp = c & 0x0FU;
    } else if ((c & 0xF8U) == 0xF0U) {
      extra = 3;
      cp = c & 0x07U;
    } else {
      return i;
    }
    if (i + extra >= n) return i;
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0U) != 0x80U) return i;
      cp = (cp << 6U) | (cc & 0x3FU);
    }
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return i;
    }
    i += extra + 1;
  }
  return std::string_view::npos;
}

std::optional<Error> check_sql_bytes(std::string_view text, const std::string& file) {
  const void* nul = std::memchr(text.data(), '\0', text.size());
  const std::size_t nul_at =
      nul ? static_cast<std::size_t>(static_cast<const char*>(nul) - text.data()) : text.size();
  // Only the text before a NUL is read for UTF-8: the first problem is the one reported.
  const std::size_t bad_at = invalid_utf8_offset(text.substr(0, nul_at));
  if (bad_at == std::string_view::npos && nul == nullptr) return std::nullopt;
  const std::size_t offset = bad_at == std::string_view::npos ? nul_at : bad_at;
  const auto at = line_column_at(text, offset);
  const Location where{file, at.line, at.column};
  if (bad_at == std::string_view::npos) {
    return Error(ErrorKind::input, "NUL byte in SQL: PostgreSQL would never see what follows it",
                 "remove the NUL byte (is this a binary or UTF-16 file?)", where);
  }
  return Error(ErrorKind::input,
               fmt::format("file is not valid UTF-8 (byte 0x{:02X})",
                           static_cast<unsigned char>(text[offset])),
               "save the file as UTF-8", where);
}

std::optional<Error> check_config_string(std::string_view value, std::string_view key,
                                         const Location& at) {
  if (value.find('\0') == std::string_view::npos) return std::nullopt;
  return Error(ErrorKind::input, fmt::format("`{}` contains a NUL character (\\u0000)", key),
               "remove it: PostgreSQL and the file system end a string at a NUL", at);
}

} // namespace preflight::sql
