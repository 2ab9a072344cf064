#pragma once
// The one error type of preflight: a kind (which decides the exit code), a user-facing message,
// an optional location and an optional hint. Only the CLI prints errors.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace preflight {

enum class ErrorKind {
  usage,      // bad arguments (exit 2)
  input,      // bad input files: migrations, TOML, SQL that does not parse (exit 2)
  problem,    // the work found a problem: failed migration, regression, unmet expectation (exit 1)
  history,    // history does not match the files (exit 3)
  connection, // cannot reach or authenticate to the database (exit 4)
  internal,   // a bug in preflight (exit 70)
};

/// Exit code documented in the README for an error kind.
int exit_code(ErrorKind kind);

/// A position in a file, 1-based; line/column 0 means unknown.
struct Location {
  std::string file;
  std::uint32_t line = 0;
  std::uint32_t column = 0;

  /// "file:line:col", "file:line" or "file" depending on what is known.
  std::string to_string() const;
};

class Error : public std::runtime_error {
public:
  Error(ErrorKind kind, std::string message, std::string hint = {},
        std::optional<Location> location = std::nullopt);

  ErrorKind kind() const { return m_kind; }
  const std::string& message() const { return m_message; }
  const std::string& hint() const { return m_hint; }
  const std::optional<Location>& location() const { return m_location; }
  /// Further problems found in the same validation pass (mold-style: report all at once).
  const std::vector<Error>& more() const { return m_more; }

  /// Returns a copy located in `location` (the layer that knows the file adds it).
  Error at(Location location) const;
  /// Returns a copy whose message is prefixed by `context` and ": ".
  Error with_context(const std::string& context) const;
  /// Returns one error carrying all of `errors` (the first is the headline); requires non-empty.
  static Error combine(std::vector<Error> errors);

  /// The first line a user reads: "file:line:col: message", or just the message.
  std::string headline() const;

private:
  ErrorKind m_kind;
  std::string m_message;
  std::string m_hint;
  std::optional<Location> m_location;
  std::vector<Error> m_more;
};

} // namespace preflight
