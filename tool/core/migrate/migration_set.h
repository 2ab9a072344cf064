#pragma once
// Migration discovery from (file name, bytes) pairs, sqlx-compatible: `<VERSION>_<DESC>.sql`
// (simple) or `<VERSION>_<DESC>.up.sql` + `.down.sql` (reversible).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/migrate/checksum.h"

namespace preflight::migrate {

struct SourceFile {
  std::string path;  // as shown to users, e.g. "migrations/0003_x.up.sql"
  std::string name;  // file name only
  std::string bytes; // exact contents
  // Why the entry is not a regular file ("a FIFO", "a dangling symbolic link", …); empty for a
  // regular file (or a symbolic link to one). Such entries have no bytes.
  std::string not_regular{};
};

struct Script {
  std::string path;
  std::string sql;
  bool no_transaction = false; // the file starts with "-- no-transaction"
  /// Why this script cannot run, when that only matters to the command that runs it (a down
  /// script of another tool's layout that does not parse): set only outside the sqlx layout.
  std::optional<Error> problem = std::nullopt;
  /// Why a dry run in a rolled-back transaction cannot run this script (it commits itself, or
  /// runs a statement PostgreSQL refuses in a transaction block).
  std::optional<Error> dry_run_refusal = std::nullopt;
  /// The file's path below the migrations folder, as Flyway records it (its `script` column).
  std::string native_name{};
  /// Flyway's checksum of the file (CRC-32 of its lines); nullopt in other layouts. For a
  /// repeatable migration, of its text with placeholders replaced (SqlMigrationResolver).
  std::optional<std::int32_t> native_checksum = std::nullopt;
  /// A repeatable migration's checksum of the file as it is, which Flyway also accepts as a match.
  std::optional<std::int32_t> equivalent_checksum = std::nullopt;
};

/// A version as its tool writes it: `text`, or `version` in decimal when there is no text.
std::string shown_version(std::int64_t version, std::string_view text);

struct Migration {
  std::int64_t version = 0;
  std::string description; // "_" shown as spaces
  bool reversible = false;
  Script up;
  std::optional<Script> down;
  Checksum checksum; // SHA-384 of the up (or simple) file's bytes
  /// The version as the layout's own tool writes it ("1.2", "20190101000000"); empty when it
  /// is `version` in decimal (sqlx).
  std::string version_text;
  /// A Flyway repeatable migration (R__…): no version; `version` is 0 and `description` names it.
  bool repeatable = false;

  /// The version as its tool shows it: version_text, else the number ("R" for a repeatable).
  std::string shown_version() const;
};

class MigrationSet {
public:
  MigrationSet() = default;
  explicit MigrationSet(std::vector<Migration> migrations, std::vector<Migration> repeatables = {});

  /// The versioned migrations, ascending by version.
  const std::vector<Migration>& all() const { return m_migrations; }
  /// Flyway's repeatable migrations, by description (the order Flyway runs them in).
  const std::vector<Migration>& repeatables() const { return m_repeatables; }
  /// The migration with `version`, or nullptr.
  const Migration* find(std::int64_t version) const;
  /// The version of the migration with `version` as its tool shows it; the number if none has it.
  std::string shown_version(std::int64_t version) const;
  bool empty() const { return m_migrations.empty() && m_repeatables.empty(); }

private:
  std::vector<Migration> m_migrations; // ascending by version
  std::vector<Migration> m_repeatables;
};

struct DiscoveryOptions {
  /// Parse every file's SQL (the commands that run or lint it); commands that only compare
  /// history with the files (status, verify) skip it, which halves their time on large folders.
  bool check_sql = true;
  /// With check_sql: refuse transaction-control statements that break how preflight runs a
  /// migration (COMMIT in a transactional migration, BEGIN left open in a -- no-transaction one;
  /// see transaction_control.h). lint turns it off and reports them as findings instead.
  bool check_transaction_control = true;
};

/// Builds the migration set from a directory's files as sqlx reads them; files that are not
/// migrations are ignored (as sqlx does). Entries that are not regular files are refused before,
/// for every layout, by discover_folder(). Throws one Error(input) listing every problem (naming,
/// duplicates, encoding, empty files, SQL that does not parse or controls transactions wrongly,
/// with file:line:column).
MigrationSet discover_migrations(const std::vector<SourceFile>& files,
                                 const DiscoveryOptions& options = {});

/// discover_migrations that moves the files' bytes into the scripts instead of copying them.
MigrationSet discover_migrations(std::vector<SourceFile>&& files,
                                 const DiscoveryOptions& options = {});

/// True if `bytes` start with the `-- no-transaction` directive.
bool has_no_transaction_directive(std::string_view bytes);

/// `bytes` without a leading UTF-8 byte order mark (editors on Windows write one).
std::string_view without_byte_order_mark(std::string_view bytes);

/// True if `bytes` are valid UTF-8.
bool is_valid_utf8(const std::string& bytes);

} // namespace preflight::migrate
