#include "core/check/expectation.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <regex>

#include <fmt/format.h>

#include "core/error.h"

namespace preflight::check {

std::string to_string(Comparison comparison) {
  switch (comparison) {
  case Comparison::eq: return "==";
  case Comparison::ne: return "!=";
  case Comparison::lt: return "<";
  case Comparison::le: return "<=";
  case Comparison::gt: return ">";
  case Comparison::ge: return ">=";
  }
  return "?";
}

namespace {

const char* k_forms =
    "write one of: `== 0`, `>= 1`, `< 5`, `!= \"text\"`, `rows == N`, `matches \"regex\"` "
    "(operators ==, !=, <, <=, >, >=)";

Error bad(const std::string& why) {
  return Error(ErrorKind::input, "bad expectation: " + why, k_forms);
}

std::string_view trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

std::optional<double> as_number(std::string_view s) {
  s = trim(s);
  if (s.empty()) return std::nullopt;
  if (s.front() == '+') s.remove_prefix(1);
  double value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

// A number as PostgreSQL prints a column value: also 'Infinity' / '-Infinity' (float columns).
std::optional<double> as_measured_number(std::string_view s) {
  if (auto value = as_number(s)) return value;
  s = trim(s);
  if (s == "Infinity") return HUGE_VAL;
  if (s == "-Infinity") return -HUGE_VAL;
  return std::nullopt;
}

// Plain decimals (digits, at most one '.', a sign) compare exactly, digit by digit: a bigint id
// or a numeric sum must not be rounded to a double (9007199254740993 == 9007199254740992).
std::optional<int> compare_decimals(std::string_view a, std::string_view b) {
  struct Decimal {
    bool negative = false;
    std::string_view whole;
    std::string_view fraction;
  };
  auto read = [](std::string_view s) -> std::optional<Decimal> {
    Decimal d;
    s = trim(s);
    if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
      d.negative = s.front() == '-';
      s.remove_prefix(1);
    }
    const auto dot = s.find('.');
    d.whole = s.substr(0, dot);
    d.fraction = dot == std::string_view::npos ? std::string_view{} : s.substr(dot + 1);
    const auto digits = [](std::string_view t) {
      return std::all_of(t.begin(), t.end(),
                         [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    };
    if (d.whole.empty() || !digits(d.whole) || !digits(d.fraction)) return std::nullopt;
    while (d.whole.size() > 1 && d.whole.front() == '0') d.whole.remove_prefix(1);
    while (!d.fraction.empty() && d.fraction.back() == '0') d.fraction.remove_suffix(1);
    if (d.whole == "0" && d.fraction.empty()) d.negative = false; // -0 == 0
    return d;
  };
  const auto x = read(a);
  const auto y = read(b);
  if (!x || !y) return std::nullopt;
  if (x->negative != y->negative) return x->negative ? -1 : 1;
  int magnitude = 0;
  if (x->whole.size() != y->whole.size()) {
    magnitude = x->whole.size() < y->whole.size() ? -1 : 1;
  } else if (int c = x->whole.compare(y->whole); c != 0) {
    magnitude = c < 0 ? -1 : 1;
  } else {
    const std::size_t n = std::max(x->fraction.size(), y->fraction.size());
    for (std::size_t i = 0; i < n && magnitude == 0; ++i) {
      const char dx = i < x->fraction.size() ? x->fraction[i] : '0';
      const char dy = i < y->fraction.size() ? y->fraction[i] : '0';
      if (dx != dy) magnitude = dx < dy ? -1 : 1;
    }
  }
  return x->negative ? -magnitude : magnitude;
}

// Reads the operator at the start of `s`; returns its length (0 if none).
std::size_t read_comparison(std::string_view s, Comparison& out) {
  static const std::pair<std::string_view, Comparison> k_ops[] = {
      {"==", Comparison::eq}, {"!=", Comparison::ne}, {"<=", Comparison::le},
      {">=", Comparison::ge}, {"<", Comparison::lt},  {">", Comparison::gt}};
  for (const auto& [text, op] : k_ops) {
    if (s.substr(0, text.size()) == text) {
      out = op;
      return text.size();
    }
  }
  return 0;
}

// A double-quoted operand; backslash escapes only `\"` and `\\` so that regular expressions
// keep their own backslashes.
std::string unquote(std::string_view s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"')
    throw bad("text must be in double quotes");
  std::string out;
  for (std::size_t i = 1; i + 1 < s.size(); ++i) {
    if (s[i] == '\\' && i + 2 < s.size() && (s[i + 1] == '"' || s[i + 1] == '\\')) {
      out += s[++i];
    } else if (s[i] == '"') {
      throw bad("unescaped `\"` inside the quoted text");
    } else {
      out += s[i];
    }
  }
  return out;
}

bool is_bare_word(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' ||
          c == ':'))
      return false;
  }
  return true;
}

template <class T> bool compare(const T& a, Comparison op, const T& b) {
  switch (op) {
  case Comparison::eq: return a == b;
  case Comparison::ne: return a != b;
  case Comparison::lt: return a < b;
  case Comparison::le: return a <= b;
  case Comparison::gt: return a > b;
  case Comparison::ge: return a >= b;
  }
  return false;
}

} // namespace

Expectation parse_expectation(std::string_view input) {
  Expectation e;
  std::string_view s = trim(input);
  e.text = std::string(s);
  if (s.empty()) throw bad("it is empty");
  if (s.substr(0, 7) == "matches") {
    e.kind = Expectation::Kind::matches;
    auto rest = trim(s.substr(7));
    if (rest.size() == s.size() - 7 && !rest.empty()) throw bad("expected a space after `matches`");
    if (rest.empty()) throw bad("`matches` needs a quoted regular expression");
    e.operand = unquote(rest);
    try {
      std::regex check(e.operand, std::regex::ECMAScript);
    } catch (const std::regex_error& x) {
      throw bad(fmt::format("invalid regular expression \"{}\": {}", e.operand, x.what()));
    }
    return e;
  }
  if (s.substr(0, 4) == "rows") {
    e.kind = Expectation::Kind::rows;
    s = trim(s.substr(4));
  }
  auto length = read_comparison(s, e.comparison);
  if (length == 0) {
    throw bad(fmt::format("`{}` does not start with a comparison operator", e.text));
  }
  auto operand = trim(s.substr(length));
  if (operand.empty())
    throw bad(fmt::format("nothing to compare with after `{}`", to_string(e.comparison)));
  if (e.kind == Expectation::Kind::rows) {
    auto n = as_number(operand);
    if (!n || *n < 0 || std::floor(*n) != *n)
      throw bad(fmt::format("`rows` needs a whole number, not `{}`", operand));
    e.numeric = true;
    e.operand = std::string(operand);
    return e;
  }
  if (as_number(operand)) {
    e.numeric = true;
    e.operand = std::string(operand);
  } else if (operand.front() == '"') {
    e.operand = unquote(operand);
  } else if (is_bare_word(operand)) {
    e.operand = std::string(operand);
  } else {
    throw bad(
        fmt::format("`{}` is neither a number nor a word; put text in double quotes", operand));
  }
  return e;
}

Evaluation evaluate(const Expectation& expectation, const ResultRows& rows) {
  Evaluation out;
  if (expectation.kind == Expectation::Kind::rows) {
    out.measured = fmt::format("{} row{}", rows.size(), rows.size() == 1 ? "" : "s");
    auto want = as_number(expectation.operand).value_or(0);
    out.passed = compare(static_cast<double>(rows.size()), expectation.comparison, want);
    return out;
  }
  if (rows.size() != 1 || rows.front().size() != 1) {
    std::size_t columns = rows.empty() ? 0 : rows.front().size();
    out.measured = fmt::format("{} row{} × {} column{}", rows.size(), rows.size() == 1 ? "" : "s",
                               columns, columns == 1 ? "" : "s");
    out.reason =
        "the query must return exactly one value (one row, one column) for this expectation";
    return out;
  }
  const auto& cell = rows.front().front();
  if (!cell) {
    out.measured = "NULL";
    out.reason = "the query returned NULL";
    return out;
  }
  out.measured = *cell;
  if (expectation.kind == Expectation::Kind::matches) {
    out.passed = std::regex_search(*cell, std::regex(expectation.operand, std::regex::ECMAScript));
    return out;
  }
  if (expectation.numeric) {
    auto value = as_measured_number(*cell);
    if (!value) {
      out.reason = fmt::format("`{}` is not a number, and the expectation compares numbers", *cell);
      return out;
    }
    if (auto order = compare_decimals(*cell, expectation.operand)) {
      out.passed = compare(*order, expectation.comparison, 0);
    } else {
      out.passed = compare(*value, expectation.comparison, *as_number(expectation.operand));
    }
    return out;
  }
  out.passed = compare(*cell, expectation.comparison, expectation.operand);
  return out;
}

} // namespace preflight::check
