#include "core/migrate/source_entry.h"

#include <fmt/format.h>

#include "core/migrate/migration_set.h"

namespace preflight::migrate {

namespace {

bool is_control(unsigned char c) {
  return c < 0x20 || c == 0x7F;
}

} // namespace

std::string escape_control_characters(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\t') {
      out += "\\t";
    } else if (ch == '\r') {
      out += "\\r";
    } else if (is_control(c)) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += ch;
    }
  }
  return out;
}

std::optional<Error> check_migration_entry(const SourceFile& file) {
  for (char ch : file.name) {
    if (!is_control(static_cast<unsigned char>(ch))) continue;
    return Error(ErrorKind::input, "file name contains a control character",
                 "rename the file: letters, digits, _ - . only (as `preflight migrate new` names "
                 "files)",
                 Location{escape_control_characters(escape_invalid_utf8(file.path)), 0, 0});
  }
  if (!file.not_regular.empty()) {
    return Error(ErrorKind::input,
                 fmt::format("named like a migration, but {}: it cannot be read", file.not_regular),
                 "make it a regular file (or a symbolic link to one), or rename it so it does "
                 "not look like a migration",
                 Location{escape_invalid_utf8(file.path), 0, 0});
  }
  return std::nullopt;
}

} // namespace preflight::migrate
