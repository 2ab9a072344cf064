#include "core/config/toml_document.h"

#include <vector>

#include <fmt/format.h>

#include "core/error.h"
#include "core/sql/sql_bytes.h"
#include "core/sql/text_position.h"

namespace preflight::config {

namespace {

// A key as users wrote it: a NUL shown as the escape that put it there.
std::string shown_key(std::string_view key) {
  std::string out;
  for (char c : key) out += c == '\0' ? std::string("\\u0000") : std::string(1, c);
  return out;
}

// Every key and string under `node`, named by its dotted path (as users write it).
void find_nul_strings(const toml::node& node, const std::string& name, const std::string& path,
                      std::vector<Error>& errors) {
  if (const auto* table = node.as_table()) {
    for (auto&& [key, value] : *table) {
      const std::string child =
          name.empty() ? shown_key(key.str()) : name + "." + shown_key(key.str());
      if (auto e = sql::check_config_string(key.str(), child, toml_location(path, key.source())))
        errors.push_back(std::move(*e));
      find_nul_strings(value, child, path, errors);
    }
  } else if (const auto* array = node.as_array()) {
    for (const auto& element : *array) find_nul_strings(element, name, path, errors);
  } else if (const auto* text = node.as_string()) {
    if (auto e = sql::check_config_string(text->get(), name, toml_location(path, node.source())))
      errors.push_back(std::move(*e));
  }
}

} // namespace

Location toml_location(const std::string& path, const toml::source_region& region) {
  return Location{path, static_cast<std::uint32_t>(region.begin.line),
                  static_cast<std::uint32_t>(region.begin.column)};
}

toml::table parse_toml(std::string_view text, const std::string& path) {
  // A raw NUL: toml++ would stop reading there and accept the rest unseen.
  if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
    const auto at = sql::line_column_at(text, nul);
    throw Error(ErrorKind::input, "NUL byte in a TOML file", "is this a binary or UTF-16 file?",
                Location{path, at.line, at.column});
  }
  toml::table table;
  try {
    table = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    throw Error(ErrorKind::input, fmt::format("invalid TOML: {}", e.description()), {},
                toml_location(path, e.source()));
  }
  std::vector<Error> errors;
  find_nul_strings(table, "", path, errors);
  if (!errors.empty()) throw Error::combine(std::move(errors));
  return table;
}

} // namespace preflight::config
