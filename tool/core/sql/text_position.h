#pragma once
// Maps offsets in SQL text to what users read: 1-based line and column (columns count UTF-8
// characters, as PostgreSQL's error positions do).

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace preflight::sql {

struct LineColumn {
  std::uint32_t line = 0;
  std::uint32_t column = 0;
};

/// Line and column of the byte at `byte_offset` in `text` (clamped to the end of the text).
LineColumn line_column_at(std::string_view text, std::size_t byte_offset);

/// Byte offset of the 1-based character position `char_position` in `text` (PostgreSQL error
/// positions count characters, not bytes); clamped to the text's size.
std::size_t byte_offset_of_char(std::string_view text, std::size_t char_position);

} // namespace preflight::sql
