#include "io/bench/suite_file.h"

#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace preflight::bench {

namespace {

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

} // namespace

Suite load_suite(const std::string& path) {
  auto text = read_file(path);
  if (!text) throw Error(ErrorKind::input, "suite file not found", {}, Location{path, 0, 0});
  Suite suite = parse_suite(*text, path);
  if (suite.dataset_file) {
    auto dataset = read_file(*suite.dataset_file);
    if (!dataset) {
      throw Error(ErrorKind::input,
                  fmt::format("`dataset.file`: file not found: {}", *suite.dataset_file), {},
                  suite.dataset_file_location);
    }
    try {
      check_dataset_sql(*dataset);
    } catch (const Error& e) {
      const auto at = e.location().value_or(Location{});
      throw e.with_context("the dataset").at(Location{*suite.dataset_file, at.line, at.column});
    }
    suite.dataset_sql = std::move(*dataset);
  }
  return suite;
}

} // namespace preflight::bench
