#pragma once
// Plain-text tables for terminals and logs: cells aligned in columns, widths counted in code
// points so that "→" or "µ" takes one column as on screen.

#include <string>
#include <vector>

namespace preflight::text {

/// Code points in UTF-8 `text` (continuation bytes not counted).
std::size_t code_points(const std::string& text);

/// One line per row (no newline): every cell but the last padded to its column's widest cell
/// plus `gap` spaces.
std::vector<std::string> align_columns(const std::vector<std::vector<std::string>>& rows,
                                       std::size_t gap = 2);

} // namespace preflight::text
