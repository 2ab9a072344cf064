#pragma once
// What surrounds a parsed statement in its file: where its first token starts (libpg_query's
// statement location includes the whitespace and comments before it) and the `--` comments in
// that gap, where per-statement directives such as `-- preflight:ignore` live.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace preflight::sql {

struct LineComment {
  std::size_t offset = 0; // byte offset of the "--"
  std::string text;       // after the "--", without the line break
};

/// Byte offset of the first token at or after `offset`, skipping whitespace, `--` comments
/// and (nested) `/* */` comments; source.size() if there is none.
std::size_t first_token_offset(std::string_view source, std::size_t offset);

/// The `--` comments between `begin` and `end` (comments only: whitespace and block comments
/// are skipped, and scanning stops at the first token).
std::vector<LineComment> leading_line_comments(std::string_view source, std::size_t begin,
                                               std::size_t end);

} // namespace preflight::sql
