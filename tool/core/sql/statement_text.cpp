#include "core/sql/statement_text.h"

#include <algorithm>
#include <cctype>

namespace preflight::sql {

namespace {

bool is_space(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

// Skips one block comment starting at `i` ("/*"); PostgreSQL's block comments nest.
std::size_t skip_block_comment(std::string_view source, std::size_t i) {
  int depth = 0;
  while (i < source.size()) {
    if (source.compare(i, 2, "/*") == 0) {
      ++depth;
      i += 2;
    } else if (source.compare(i, 2, "*/") == 0) {
      i += 2;
      if (--depth == 0) return i;
    } else {
      ++i;
    }
  }
  return source.size();
}

// Walks the gap before a statement; `comments` (optional) collects its `--` comments.
std::size_t scan_gap(std::string_view source, std::size_t i, std::size_t end,
                     std::vector<LineComment>* comments) {
  end = std::min(end, source.size());
  while (i < end) {
    if (is_space(source[i])) {
      ++i;
    } else if (source.compare(i, 2, "--") == 0) {
      // PostgreSQL's lexer ends a -- comment at LF or CR.
      auto eol = source.find_first_of("\r\n", i);
      if (eol == std::string_view::npos) eol = source.size();
      if (comments) comments->push_back({i, std::string(source.substr(i + 2, eol - i - 2))});
      i = eol;
    } else if (source.compare(i, 2, "/*") == 0) {
      i = skip_block_comment(source, i);
    } else {
      return i;
    }
  }
  return end;
}

} // namespace

std::size_t first_token_offset(std::string_view source, std::size_t offset) {
  return scan_gap(source, offset, source.size(), nullptr);
}

std::vector<LineComment> leading_line_comments(std::string_view source, std::size_t begin,
                                               std::size_t end) {
  std::vector<LineComment> comments;
  scan_gap(source, begin, end, &comments);
  return comments;
}

} // namespace preflight::sql
