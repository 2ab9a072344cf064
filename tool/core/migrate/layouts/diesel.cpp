// diesel (github.com/diesel-rs/diesel, commit 04cc1b0bc657): diesel_migrations/migrations_internals
// /src/lib.rs takes every non-hidden, non-empty sub-folder as a migration and refuses one without
// up.sql; files beside them are not migrations; the version is the folder name before its first
// '_' with every '-' removed, compared as text; metadata.toml's run_in_transaction defaults to
// true when the file is missing or unreadable, to false when it parses without the key.
// src/file_based_migrations.rs refuses an empty (0-byte) up.sql or down.sql when it runs it, a
// missing down.sql only when reverting, and sends a file as one query (batch_execute).

#include <algorithm>
#include <charconv>
#include <map>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "core/migrate/layouts/assemble.h"
#include "core/migrate/layouts/readers.h"
#include "core/migrate/source_entry.h"

namespace preflight::migrate::layouts {

namespace {

// Versions are compared as text: right-padding the digits to one width keeps that order in the
// integers preflight's history keys on (2017-11-22-123456-0000 before 20180101000000).
constexpr std::size_t k_version_width = 18;

bool run_in_transaction(const std::string& metadata) {
  try {
    auto table = toml::parse(metadata);
    auto value = table["run_in_transaction"];
    if (!value) return false; // serde's default for a missing bool
    if (auto b = value.value<bool>()) return *b;
    return true; // not a bool: diesel's read fails and falls back to the default
  } catch (const toml::parse_error&) {
    return true;
  }
}

ScriptDecision diesel_rule(const ScriptSource& script, const ScriptShape& shape) {
  if (script.declared_no_transaction)
    return one_query_rule(script, shape, "diesel", "move it to a migration of its own");
  return in_transaction_rule(script, shape,
                             {"diesel", "migration", true,
                              "add run_in_transaction = false to the migration's metadata.toml"});
}

ScriptSource script_of(SourceFile& file, bool no_transaction) {
  ScriptSource s{file.path, file.bytes, no_transaction, false, {}};
  if (s.sql.rfind("\xEF\xBB\xBF", 0) == 0) s.sql.erase(0, 3);
  if (file.bytes.empty()) {
    s.problem = file_error(file.path, "diesel refuses an empty migration file (0 bytes)",
                           "write the SQL, or a comment if it has nothing to do");
  }
  return s;
}

} // namespace

MigrationSet read_diesel(std::vector<SourceFile>&& files, const DiscoveryOptions& options) {
  std::vector<Error> errors;
  struct Folder {
    SourceFile* up = nullptr;
    SourceFile* down = nullptr;
    SourceFile* metadata = nullptr;
    std::string path; // the folder, as shown to users
  };
  std::map<std::string, Folder> folders;
  for (auto& file : files) {
    auto slash = file.name.find('/');
    if (slash == std::string::npos) continue; // files beside the migrations: not migrations
    const std::string folder = file.name.substr(0, slash);
    const std::string inner = file.name.substr(slash + 1);
    if (folder.empty() || folder[0] == '.') continue;
    Folder& f = folders[folder];
    f.path = file.path.substr(0, file.path.size() - inner.size() - 1);
    if (inner.empty() || inner[0] == '.' || inner.find('/') != std::string::npos) continue;
    if (inner == "up.sql")
      f.up = &file;
    else if (inner == "down.sql")
      f.down = &file;
    else if (inner == "metadata.toml")
      f.metadata = &file;
  }

  std::vector<Candidate> candidates;
  for (auto& [name, folder] : folders) {
    if (!is_valid_utf8(name)) {
      errors.push_back(name_not_utf8(folder.path, "folder"));
      continue;
    }
    if (folder.up == nullptr) {
      errors.push_back(file_error(folder.path,
                                  "diesel cannot read this folder as a migration: it has no up.sql",
                                  "every sub-folder of a diesel migrations folder is a migration; "
                                  "move other folders elsewhere"));
      continue;
    }
    const auto underscore = name.find('_');
    std::string version_text = name.substr(0, underscore);
    version_text.erase(std::remove(version_text.begin(), version_text.end(), '-'),
                       version_text.end());
    if (!all_digits(version_text) || version_text.size() > k_version_width) {
      errors.push_back(
          file_error(folder.path,
                     fmt::format("version \"{}\" is not a number of at most {} digits",
                                 version_text, k_version_width),
                     "preflight's history keys on integer versions; diesel's are usually "
                     "YYYY-MM-DD-HHMMSS"));
      continue;
    }
    std::string padded = version_text;
    padded.append(k_version_width - padded.size(), '0');
    std::int64_t version = 0;
    std::from_chars(padded.data(), padded.data() + padded.size(), version);
    Candidate c;
    c.version = version;
    c.version_text = version_text;
    std::string description = underscore == std::string::npos ? "" : name.substr(underscore + 1);
    std::replace(description.begin(), description.end(), '_', ' ');
    c.description = std::move(description);
    c.order_key = version_text;
    c.origin = folder.path;
    c.checksum_of = folder.up->bytes;
    const bool transaction =
        folder.metadata == nullptr || run_in_transaction(folder.metadata->bytes);
    c.up = script_of(*folder.up, !transaction);
    if (folder.down) c.down = script_of(*folder.down, !transaction);
    candidates.push_back(std::move(c));
  }
  return assemble(std::move(candidates), std::move(errors), LayoutRules{"diesel", &diesel_rule},
                  options);
}

} // namespace preflight::migrate::layouts
