#include "core/error.h"

#include <fmt/format.h>

namespace preflight {

int exit_code(ErrorKind kind) {
  switch (kind) {
  case ErrorKind::problem: return 1;
  case ErrorKind::usage:
  case ErrorKind::input: return 2;
  case ErrorKind::history: return 3;
  case ErrorKind::connection: return 4;
  case ErrorKind::internal: return 70;
  }
  return 70;
}

std::string Location::to_string() const {
  if (line == 0) return file;
  if (column == 0) return fmt::format("{}:{}", file, line);
  return fmt::format("{}:{}:{}", file, line, column);
}

Error::Error(ErrorKind kind, std::string message, std::string hint,
             std::optional<Location> location)
    : std::runtime_error(message), m_kind(kind), m_message(std::move(message)),
      m_hint(std::move(hint)), m_location(std::move(location)) {}

Error Error::at(Location location) const {
  Error copy = *this;
  copy.m_location = std::move(location);
  return copy;
}

Error Error::with_context(const std::string& context) const {
  Error copy(m_kind, context + ": " + m_message, m_hint, m_location);
  copy.m_more = m_more;
  return copy;
}

Error Error::combine(std::vector<Error> errors) {
  Error head = errors.front();
  for (std::size_t i = 1; i < errors.size(); ++i) head.m_more.push_back(std::move(errors[i]));
  return head;
}

std::string Error::headline() const {
  if (m_location && !m_location->file.empty()) {
    return m_location->to_string() + ": " + m_message;
  }
  return m_message;
}

} // namespace preflight
