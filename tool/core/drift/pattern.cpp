#include "core/drift/pattern.h"

#include <fmt/format.h>

#include "core/error.h"

namespace preflight::drift {

namespace {

// The end of the set starting at `open` (the index of its `]`), or npos when it is not closed.
// As in the shell, a `]` right after `[` or `[!` belongs to the set.
std::size_t set_end(std::string_view pattern, std::size_t open) {
  std::size_t i = open + 1;
  if (i < pattern.size() && pattern[i] == '!') ++i;
  if (i < pattern.size() && pattern[i] == ']') ++i;
  while (i < pattern.size() && pattern[i] != ']') ++i;
  return i < pattern.size() ? i : std::string_view::npos;
}

bool in_set(std::string_view set, char c) {
  bool negated = !set.empty() && set.front() == '!';
  if (negated) set.remove_prefix(1);
  bool found = false;
  for (std::size_t i = 0; i < set.size(); ++i) {
    if (i + 2 < set.size() && set[i + 1] == '-') {
      found = found || (c >= set[i] && c <= set[i + 2]);
      i += 2;
    } else {
      found = found || c == set[i];
    }
  }
  return found != negated;
}

// Backtracking on the last `*` only: linear in practice, never exponential.
bool glob(std::string_view pattern, std::string_view name) {
  std::size_t p = 0, n = 0;
  std::size_t star = std::string_view::npos, star_n = 0;
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_n = n;
      continue;
    }
    if (p < pattern.size()) {
      if (pattern[p] == '?') {
        ++p;
        ++n;
        continue;
      }
      if (pattern[p] == '[') {
        std::size_t end = set_end(pattern, p);
        if (in_set(pattern.substr(p + 1, end - p - 1), name[n])) {
          p = end + 1;
          ++n;
          continue;
        }
      } else if (pattern[p] == name[n]) {
        ++p;
        ++n;
        continue;
      }
    }
    if (star == std::string_view::npos) return false;
    p = star + 1;
    n = ++star_n;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

} // namespace

Pattern::Pattern(std::string text) : m_text(std::move(text)) {
  const char* hint = "a pattern is a glob on qualified names, e.g. public.tmp_* or *.audit_log";
  if (m_text.empty()) throw Error(ErrorKind::usage, "--ignore: the pattern is empty", hint);
  for (std::size_t i = 0; i < m_text.size(); ++i) {
    if (m_text[i] != '[') continue;
    std::size_t end = set_end(m_text, i);
    if (end == std::string_view::npos) {
      throw Error(
          ErrorKind::usage,
          fmt::format("--ignore {}: `[` at character {} is never closed by `]`", m_text, i + 1),
          hint);
    }
    i = end;
  }
}

bool Pattern::matches(std::string_view name) const {
  return glob(m_text, name);
}

} // namespace preflight::drift
