#include "core/sql/text_position.h"

#include <algorithm>

namespace preflight::sql {

namespace {
bool is_continuation_byte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U;
}
} // namespace

LineColumn line_column_at(std::string_view text, std::size_t byte_offset) {
  byte_offset = std::min(byte_offset, text.size());
  LineColumn at{1, 1};
  for (std::size_t i = 0; i < byte_offset; ++i) {
    // A line ends at LF, CRLF or a lone CR (old Mac files), as PostgreSQL's lexer reads them.
    const bool lone_cr = text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n');
    if (text[i] == '\n' || lone_cr) {
      ++at.line;
      at.column = 1;
    } else if (!is_continuation_byte(text[i])) {
      ++at.column;
    }
  }
  return at;
}

std::size_t byte_offset_of_char(std::string_view text, std::size_t char_position) {
  if (char_position <= 1) return 0;
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!is_continuation_byte(text[i])) {
      if (++chars == char_position) return i;
    }
  }
  return text.size();
}

} // namespace preflight::sql
