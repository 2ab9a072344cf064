#include "core/migrate/migration_set.h"

#include <algorithm>
#include <charconv>
#include <exception>
#include <map>
#include <thread>

#include <fmt/format.h>

#include "core/error.h"
#include "core/migrate/source_entry.h"
#include "core/migrate/transaction_control.h"
#include "core/sql/parsed_sql.h"
#include "core/sql/sql_bytes.h"
#include "core/sql/statement_text.h"
#include "core/sql/text_position.h"

namespace preflight::migrate {

namespace {

enum class FileRole { simple, up, down };

struct NamedFile {
  SourceFile* file; // its bytes move into the Script once checked
  std::int64_t version;
  std::string description;
  FileRole role;
};

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Error file_error(const SourceFile& file, std::string message, std::string hint = {}) {
  return Error(ErrorKind::input, std::move(message), std::move(hint), Location{file.path, 0, 0});
}

// sqlx: split at the first '_'; no '_' or not ".sql" means "not a migration".
std::optional<NamedFile> classify(SourceFile& file, std::vector<Error>& errors) {
  const std::string& name = file.name;
  if (!ends_with(name, ".sql")) return std::nullopt;
  auto underscore = name.find('_');
  if (underscore == std::string::npos) return std::nullopt;

  // Names become descriptions in the history table, JSON and SQL literals: all need UTF-8.
  if (!is_valid_utf8(name)) {
    errors.push_back(name_not_utf8(file.path));
    return std::nullopt;
  }
  NamedFile named{&file, 0, {}, FileRole::simple};
  std::string rest = name.substr(underscore + 1);
  if (ends_with(rest, ".up.sql")) {
    named.role = FileRole::up;
    rest.resize(rest.size() - 7);
  } else if (ends_with(rest, ".down.sql")) {
    named.role = FileRole::down;
    rest.resize(rest.size() - 9);
  } else {
    rest.resize(rest.size() - 4);
  }
  std::replace(rest.begin(), rest.end(), '_', ' ');
  named.description = rest;

  const std::string prefix = name.substr(0, underscore);
  std::int64_t version = 0;
  auto [end, ec] = std::from_chars(prefix.data(), prefix.data() + prefix.size(), version);
  if (prefix.empty() || ec != std::errc{} || end != prefix.data() + prefix.size() || version <= 0) {
    errors.push_back(
        file_error(file, fmt::format("version \"{}\" is not a positive 64-bit integer", prefix),
                   "name migrations <VERSION>_<DESCRIPTION>.sql, e.g. 0004_add_index.sql"));
    return std::nullopt;
  }
  named.version = version;
  return named;
}

// Why a migration file is unusable, if it is. Pure and thread-safe (libpg_query is).
std::vector<Error> check_script(const SourceFile& file, const DiscoveryOptions& options) {
  const std::string_view text = without_byte_order_mark(file.bytes);
  if (auto bad = sql::check_sql_bytes(text, file.path)) return {std::move(*bad)};
  if (!options.check_sql) {
    if (sql::first_token_offset(text, 0) == text.size()) {
      return {file_error(file, "migration is empty (no SQL statement)")};
    }
    return {};
  }
  std::vector<sql::Statement> statements;
  try {
    statements = sql::split_statements(text);
  } catch (const Error& e) {
    Location where = e.location().value_or(Location{});
    where.file = file.path;
    return {e.at(where)};
  }
  if (statements.empty()) return {file_error(file, "migration is empty (no SQL statement)")};
  if (!options.check_transaction_control) return {};
  // Refused before anything runs: at run time such a statement commits a dry run, or commits the
  // migration apart from its history row.
  std::vector<Error> problems;
  for (auto& problem :
       migrate::transaction_problems(text, statements, has_no_transaction_directive(text))) {
    auto at = sql::line_column_at(text, problem.offset);
    problems.emplace_back(ErrorKind::input, std::move(problem.message), std::move(problem.hint),
                          Location{file.path, at.line, at.column});
  }
  return problems;
}

struct ScriptCheck {
  std::vector<Error> problems;
  Checksum checksum;           // of the up (or simple) file; empty for a down file
  std::exception_ptr internal; // a failure that is not about the file (OpenSSL, memory)
};

// Parsing dominates discovery of a large folder (10,000 files in `migrate up`), and hashing is
// most of what is left when parsing is skipped (status, verify); every file parses and hashes
// independently: spread the files over the cores. Results keep the files' order.
std::vector<ScriptCheck> check_scripts(const std::vector<const SourceFile*>& files,
                                       const std::vector<char>& primary,
                                       const DiscoveryOptions& options) {
  std::vector<ScriptCheck> results(files.size());
  const std::size_t workers = std::min<std::size_t>(
      std::max(1U, std::thread::hardware_concurrency()), files.size() / 256 + 1);
  auto work = [&](std::size_t first) {
    for (std::size_t i = first; i < files.size(); i += workers) {
      // An exception must not leave a worker thread (that would terminate the process).
      try {
        results[i].problems = check_script(*files[i], options);
        if (results[i].problems.empty() && primary[i])
          results[i].checksum = sha384(files[i]->bytes);
      } catch (...) {
        results[i].internal = std::current_exception();
      }
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t w = 1; w < workers; ++w) threads.emplace_back(work, w);
  work(0);
  for (auto& t : threads) t.join();
  for (const auto& r : results) {
    if (r.internal) std::rethrow_exception(r.internal);
  }
  return results;
}

} // namespace

MigrationSet::MigrationSet(std::vector<Migration> migrations, std::vector<Migration> repeatables)
    : m_migrations(std::move(migrations)), m_repeatables(std::move(repeatables)) {
  auto by_version = [](const Migration& a, const Migration& b) { return a.version < b.version; };
  if (!std::is_sorted(m_migrations.begin(), m_migrations.end(), by_version)) {
    std::sort(m_migrations.begin(), m_migrations.end(), by_version);
  }
}

const Migration* MigrationSet::find(std::int64_t version) const {
  auto it = std::lower_bound(m_migrations.begin(), m_migrations.end(), version,
                             [](const Migration& m, std::int64_t v) { return m.version < v; });
  return (it != m_migrations.end() && it->version == version) ? &*it : nullptr;
}

std::string MigrationSet::shown_version(std::int64_t version) const {
  const Migration* m = find(version);
  return m ? m->shown_version() : std::to_string(version);
}

std::string shown_version(std::int64_t version, std::string_view text) {
  return text.empty() ? std::to_string(version) : std::string(text);
}

std::string Migration::shown_version() const {
  if (repeatable) return "R";
  return migrate::shown_version(version, version_text);
}

std::string_view without_byte_order_mark(std::string_view bytes) {
  if (bytes.rfind("\xEF\xBB\xBF", 0) == 0) bytes.remove_prefix(3);
  return bytes;
}

bool has_no_transaction_directive(std::string_view bytes) {
  return bytes.rfind("-- no-transaction", 0) == 0;
}

bool is_valid_utf8(const std::string& bytes) {
  return sql::invalid_utf8_offset(bytes) == std::string_view::npos;
}

MigrationSet discover_migrations(const std::vector<SourceFile>& files,
                                 const DiscoveryOptions& options) {
  return discover_migrations(std::vector<SourceFile>(files), options);
}

MigrationSet discover_migrations(std::vector<SourceFile>&& files, const DiscoveryOptions& options) {
  std::vector<Error> errors;
  std::vector<NamedFile> named;
  named.reserve(files.size());
  for (auto& file : files) {
    if (auto n = classify(file, errors)) named.push_back(*n);
  }
  // A folder listing arrives sorted already; checking is linear, sorting again is not.
  auto by_name = [](const NamedFile& a, const NamedFile& b) { return a.file->name < b.file->name; };
  if (!std::is_sorted(named.begin(), named.end(), by_name))
    std::sort(named.begin(), named.end(), by_name);

  struct Slot {
    const NamedFile* simple = nullptr;
    const NamedFile* up = nullptr;
    const NamedFile* down = nullptr;
  };
  std::map<std::int64_t, Slot> slots;
  for (const auto& n : named) {
    Slot& slot = slots[n.version];
    const NamedFile*& place = n.role == FileRole::simple ? slot.simple
                              : n.role == FileRole::up   ? slot.up
                                                         : slot.down;
    if (place != nullptr) {
      errors.push_back(file_error(
          *n.file,
          fmt::format("duplicate version {}: also used by {}", n.version, place->file->path),
          "give every migration its own version"));
      continue;
    }
    place = &n;
  }

  // Which files become scripts: every slot that passes the naming checks below.
  auto usable = [](const Slot& slot) {
    return !(slot.simple && (slot.up || slot.down)) && !(slot.down && !slot.up) &&
           !(slot.up && slot.down && slot.up->description != slot.down->description);
  };
  std::vector<const SourceFile*> to_check;
  std::vector<char> primary; // whose checksum is recorded: the up (or simple) file
  to_check.reserve(named.size());
  primary.reserve(named.size());
  for (const auto& [version, slot] : slots) {
    if (!usable(slot)) continue;
    to_check.push_back((slot.simple ? slot.simple : slot.up)->file);
    primary.push_back(1);
    if (slot.down) {
      to_check.push_back(slot.down->file);
      primary.push_back(0);
    }
  }
  auto checks = check_scripts(to_check, primary, options);
  std::size_t next_check = 0;
  auto load_script = [&](SourceFile& file, Checksum* checksum) -> std::optional<Script> {
    auto& check = checks.at(next_check++);
    if (!check.problems.empty()) {
      errors.insert(errors.end(), check.problems.begin(), check.problems.end());
      return std::nullopt;
    }
    if (checksum != nullptr) *checksum = std::move(check.checksum);
    // The checksum covers the bytes as read (sqlx's); what runs starts after a byte order mark.
    file.bytes.erase(0, file.bytes.size() - without_byte_order_mark(file.bytes).size());
    const bool no_transaction = has_no_transaction_directive(file.bytes);
    return Script{file.path, std::move(file.bytes), no_transaction};
  };

  std::vector<Migration> migrations;
  migrations.reserve(slots.size()); // growing would move every Migration into fresh pages again
  for (auto& [version, slot] : slots) {
    if (slot.simple && (slot.up || slot.down)) {
      const NamedFile* other = slot.up ? slot.up : slot.down;
      errors.push_back(file_error(*other->file,
                                  fmt::format("duplicate version {}: {} is a simple migration with "
                                              "the same version",
                                              version, slot.simple->file->path),
                                  "use either <V>_<D>.sql or the .up.sql/.down.sql pair"));
      continue;
    }
    if (slot.down && !slot.up) {
      errors.push_back(
          file_error(*slot.down->file,
                     fmt::format("down migration without its up migration (version {})", version),
                     "add the matching .up.sql file"));
      continue;
    }
    if (slot.up && slot.down && slot.up->description != slot.down->description) {
      errors.push_back(file_error(
          *slot.down->file,
          fmt::format("the down migration of version {} is named \"{}\", but its up migration "
                      "{} is named \"{}\"",
                      version, slot.down->description, slot.up->file->path, slot.up->description),
          "give the .up.sql and .down.sql files of one migration the same name"));
      continue;
    }
    const NamedFile* primary_file = slot.simple ? slot.simple : slot.up;
    Checksum checksum;
    auto up = load_script(*primary_file->file, &checksum);
    std::optional<Script> down;
    if (slot.down) down = load_script(*slot.down->file, nullptr);
    if (!up || (slot.down && !down)) continue;

    Migration m;
    m.version = version;
    m.description = primary_file->description;
    m.reversible = slot.up != nullptr;
    m.checksum = std::move(checksum);
    m.up = std::move(*up);
    m.down = std::move(down);
    migrations.push_back(std::move(m));
  }

  if (!errors.empty()) {
    std::stable_sort(errors.begin(), errors.end(), [](const Error& a, const Error& b) {
      return a.location()->file < b.location()->file;
    });
    throw Error::combine(std::move(errors));
  }
  return MigrationSet(std::move(migrations));
}

} // namespace preflight::migrate
