#include "core/migrate/source_entry.h"

#include <fmt/format.h>

#include "core/migrate/migration_set.h"

namespace preflight::migrate {

namespace {

bool is_control(unsigned char c) {
  return c < 0x20 || c == 0x7F;
}

} // namespace

std::string escape_file_name(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t length = c < 0x80               ? 1
                               : (c & 0xE0U) == 0xC0U ? 2
                               : (c & 0xF0U) == 0xE0U ? 3
                                                      : 4;
    const std::string sequence(text.substr(i, length));
    if (!is_valid_utf8(sequence)) {
      out += fmt::format("\\x{:02x}", c);
      ++i;
      continue;
    }
    i += sequence.size();
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (is_control(c)) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += sequence;
    }
  }
  return out;
}

Error name_not_utf8(std::string_view path, std::string_view kind) {
  return Error(ErrorKind::input, fmt::format("{} name is not valid UTF-8", kind),
               fmt::format("rename the {} using UTF-8 characters only", kind),
               Location{escape_file_name(path), 0, 0});
}

std::optional<Error> check_migration_entry(const SourceFile& file) {
  for (char ch : file.name) {
    if (!is_control(static_cast<unsigned char>(ch))) continue;
    return Error(ErrorKind::input, "file name contains a control character",
                 "rename the file: letters, digits, _ - . only (as `preflight migrate new` names "
                 "files)",
                 Location{escape_file_name(file.path), 0, 0});
  }
  if (!file.not_regular.empty()) {
    return Error(ErrorKind::input,
                 fmt::format("named like a migration, but {}: it cannot be read", file.not_regular),
                 "make it a regular file (or a symbolic link to one), or rename it so it does "
                 "not look like a migration",
                 Location{escape_file_name(file.path), 0, 0});
  }
  return std::nullopt;
}

} // namespace preflight::migrate
