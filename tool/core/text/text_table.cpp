#include "core/text/text_table.h"

#include <algorithm>

namespace preflight::text {

std::size_t code_points(const std::string& text) {
  std::size_t points = 0;
  for (char c : text) points += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1U : 0U;
  return points;
}

std::vector<std::string> align_columns(const std::vector<std::vector<std::string>>& rows,
                                       std::size_t gap) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (std::size_t c = 0; c < row.size(); ++c) {
      widths[c] = std::max(widths[c], code_points(row[c]));
    }
  }
  std::vector<std::string> lines;
  lines.reserve(rows.size());
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(widths[c] + gap - code_points(row[c]), ' ');
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

} // namespace preflight::text
