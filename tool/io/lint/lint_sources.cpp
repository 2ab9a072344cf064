#include "io/lint/lint_sources.h"

#include <filesystem>

#include "core/error.h"
#include "core/sql/sql_bytes.h"
#include "core/sql/statement_text.h"
#include "io/migrate/layout_directory.h"
#include "io/migrate/migration_directory.h"
#include "io/read_limited.h"

namespace fs = std::filesystem;

namespace preflight::lint {

namespace {

migrate::Script read_script(const std::string& path) {
  auto bytes = io::read_file_limited(path, io::k_migration_limit);
  if (!bytes) throw Error(ErrorKind::input, "cannot read file", {}, Location{path, 0, 0});
  std::string text = std::move(*bytes);
  // As in a migrations folder: what is linted starts after a byte order mark.
  text.erase(0, text.size() - migrate::without_byte_order_mark(text).size());
  if (auto bad = sql::check_sql_bytes(text, path)) throw std::move(*bad);
  // As in a migrations folder: a file without a statement is a mistake, not a clean migration.
  if (sql::first_token_offset(text, 0) == text.size())
    throw Error(ErrorKind::input, "migration is empty (no SQL statement)", {},
                Location{path, 0, 0});
  const bool no_transaction = migrate::has_no_transaction_directive(text);
  return migrate::Script{path, std::move(text), no_transaction};
}

} // namespace

LintSources load_lint_sources(const std::vector<std::string>& paths, const std::string& layout) {
  LintSources sources;
  for (const auto& path : paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      // Transaction control that discovery would refuse is what the lint rules
      // nested-transaction and unterminated-transaction report, with their levels and ignores.
      migrate::DiscoveryOptions options;
      options.check_transaction_control = false;
      auto migrations = lint_migrations_of(migrate::load_layout_migrations(path, layout, options));
      // A mistyped path in CI must not pass as "no findings in 0 files".
      if (migrations.empty())
        throw Error(ErrorKind::input, "no migration files in this folder",
                    "migration files are named <VERSION>_<DESCRIPTION>.sql, e.g. 0001_init.sql",
                    Location{path, 0, 0});
      for (auto& m : migrations) {
        sources.files += m.down ? 2U : 1U;
        // A down script that cannot run must not keep the other files from being linted.
        if (m.down && m.down->problem) {
          sources.down_problems.push_back(*m.down->problem);
          m.down.reset();
        }
        sources.migrations.push_back(std::move(m));
      }
    } else if (fs::is_regular_file(path, ec)) {
      sources.migrations.push_back({0, read_script(path), std::nullopt});
      sources.files += 1;
    } else {
      throw Error(ErrorKind::input, "no such file or folder",
                  "pass migration folders or .sql files", Location{path, 0, 0});
    }
  }
  return sources;
}

} // namespace preflight::lint
