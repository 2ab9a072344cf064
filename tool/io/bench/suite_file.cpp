#include "io/bench/suite_file.h"

#include <filesystem>

#include <fmt/format.h>

#include "core/migrate/version_argument.h"
#include "core/sql/sql_bytes.h"
#include "io/migrate/layout_directory.h"
#include "io/read_limited.h"

namespace preflight::bench {

Suite load_suite(const std::string& path) {
  auto text = io::read_file_limited(path, io::k_suite_limit);
  if (!text) throw Error(ErrorKind::input, "suite file not found", {}, Location{path, 0, 0});
  Suite suite = parse_suite(*text, path);
  if (suite.dataset_file) {
    auto dataset = io::read_file_limited(*suite.dataset_file, io::k_dataset_limit);
    if (!dataset) {
      throw Error(ErrorKind::input,
                  fmt::format("`dataset.file`: file not found: {}", *suite.dataset_file), {},
                  suite.dataset_file_location);
    }
    if (auto bad = sql::check_sql_bytes(*dataset, *suite.dataset_file)) throw std::move(*bad);
    try {
      check_dataset_sql(*dataset);
    } catch (const Error& e) {
      const auto at = e.location().value_or(Location{});
      throw e.with_context("the dataset").at(Location{*suite.dataset_file, at.line, at.column});
    }
    suite.dataset_sql = std::move(*dataset);
  }
  check_suite_migrations(suite); // before a throwaway cluster is started for nothing
  return suite;
}

void check_suite_migrations(Suite& suite) {
  std::error_code ec;
  if (!std::filesystem::is_directory(suite.migrations, ec)) {
    throw Error(ErrorKind::input,
                fmt::format("`migrations`: folder not found: {}", suite.migrations),
                "`migrations` is relative to the suite file", suite.migrations_location);
  }
  // A suite's migrations may be in any layout, detected as `migrate` detects it.
  migrate::Layout layout = migrate::Layout::sqlx;
  const auto files = migrate::load_layout_migrations(suite.migrations, "", {}, &layout);
  std::vector<Error> missing;
  struct Key {
    const char* name;
    std::int64_t& version;
    const std::string& text;
    const Location& at;
  };
  for (const Key& key : {Key{"before", suite.before, suite.before_text, suite.before_location},
                         Key{"after", suite.after, suite.after_text, suite.after_location}}) {
    const std::string shown = migrate::shown_version(key.version, key.text);
    if (!key.text.empty())
      key.version = migrate::try_version_argument(files, layout, key.text).value_or(-1);
    if (!files.find(key.version)) {
      missing.emplace_back(
          ErrorKind::input,
          fmt::format("`{}`: migration {} is not in {}", key.name, shown, suite.migrations),
          "name the version of a migration in that folder", key.at);
    }
  }
  if (!missing.empty()) throw Error::combine(std::move(missing));
  if ((!suite.before_text.empty() || !suite.after_text.empty()) && suite.after <= suite.before) {
    throw Error(ErrorKind::input, "`after` must be a later version than `before`", {},
                suite.after_location);
  }
}

} // namespace preflight::bench
