#pragma once
// `--ignore` patterns: shell-style globs on qualified object names ("public.tmp_*", "*.audit_log",
// "public.f(*)"). `*` matches any run of characters (dots too), `?` one character, `[abc]` /
// `[a-z]` / `[!a]` one of a set.

#include <string>
#include <string_view>

namespace preflight::drift {

class Pattern {
public:
  /// Parses `text`; throws Error(usage) naming the pattern when it is empty or has an unclosed
  /// `[` set.
  explicit Pattern(std::string text);
  /// True if the whole of `name` matches.
  bool matches(std::string_view name) const;
  const std::string& text() const { return m_text; }

private:
  std::string m_text;
};

} // namespace preflight::drift
