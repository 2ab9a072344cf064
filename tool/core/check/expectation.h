#pragma once
// What a `sql` check expects of its query's result: a comparison of the single value it
// returns (`>= 1`, `== 0`, `!= "x"`), of the number of rows (`rows == N`), or a regular
// expression the single value must contain (`matches "regex"`). Parsed strictly: anything else
// is an input error.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace preflight::check {

enum class Comparison { eq, ne, lt, le, gt, ge };

/// "==", "!=", "<", "<=", ">", ">=".
std::string to_string(Comparison comparison);

struct Expectation {
  enum class Kind { value, rows, matches };
  Kind kind = Kind::value;
  Comparison comparison = Comparison::eq;
  std::string operand;  // the number, text or regular expression as written (unquoted)
  bool numeric = false; // the operand is a number: compare numerically
  std::string text;     // the expectation as the user wrote it, trimmed

  /// The expectation as users read it back, e.g. `>= 1`, `rows == 3`, `matches "^ok"`.
  std::string describe() const { return text; }
};

/// Parses an expectation; throws Error(input) (no location: the caller adds file:line) naming
/// what is wrong and the accepted forms.
Expectation parse_expectation(std::string_view text);

/// A query's result as text cells (nullopt for NULL), row by row.
using ResultRows = std::vector<std::vector<std::optional<std::string>>>;

struct Evaluation {
  bool passed = false;
  std::string measured; // what the result showed, e.g. "3", "2 rows", "NULL"
  std::string reason;   // why it failed when the result could not be compared, else ""
};

/// Evaluates `expectation` on a query's result.
Evaluation evaluate(const Expectation& expectation, const ResultRows& rows);

} // namespace preflight::check
