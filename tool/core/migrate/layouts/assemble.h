#pragma once
// What every layout shares once its tool's naming and directives are read: checking each script
// (UTF-8, SQL, transaction shape), applying the tool's rule for scripts that control their own
// transaction or hold statements PostgreSQL refuses in a transaction block, duplicate versions,
// the tool's order, and building the MigrationSet. A layout only turns files into Candidates.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/migrate/migration_set.h"

namespace preflight::migrate::layouts {

/// One script as its tool would run it.
struct ScriptSource {
  std::string path; // the file, as shown to users
  /// What runs: the file's text with the other direction's section blanked out (spaces, newlines
  /// kept, so that line:column stay those of the file) and placeholders replaced.
  std::string sql;
  bool declared_no_transaction = false; // the tool's directive or metadata says: no transaction
  bool require_statement = false;       // the tool refuses a script with no statement
  std::optional<Error> problem;         // found while reading the tool's directives
  std::string native_name{};            // Flyway: the file's path below the migrations folder
  std::optional<std::int32_t> native_checksum{};     // Flyway: its checksum of the file
  std::optional<std::int32_t> equivalent_checksum{}; // Flyway repeatable: of the file as it is
};

/// One migration of the folder, before its scripts are checked.
struct Candidate {
  std::int64_t version = 0;
  std::string version_text; // as the tool writes it; empty when it is `version` in decimal
  std::string description;
  std::string order_key;          // the tool runs migrations in ascending order of this (as bytes)
  std::string origin;             // the file or folder that named it, for duplicate messages
  std::string checksum_of;        // the bytes whose SHA-384 preflight's history records
  std::optional<ScriptSource> up; // nullopt: the tool applies the version without running SQL
  std::optional<ScriptSource> down;
  /// A Flyway repeatable migration: no version, kept apart and named by its description.
  bool repeatable = false;
};

/// What a script's statements are, as far as transactions go.
struct ScriptShape {
  std::size_t statements = 0;
  std::optional<std::size_t> control_offset; // first BEGIN / COMMIT / SAVEPOINT …
  std::string control_what;                  // e.g. "COMMIT"
  std::optional<std::size_t> refused_offset; // first statement refused in a transaction block
  std::string refused_what;                  // e.g. "CREATE INDEX CONCURRENTLY"
  std::size_t refused_count = 0;             // statements refused in a transaction block
};

/// The layout's rule for one script, given its shape.
struct ScriptDecision {
  bool no_transaction = false;          // preflight runs it statement by statement, history apart
  std::optional<Error> problem;         // the tool would fail on it: located, with the fix
  std::optional<Error> dry_run_refusal; // it commits itself or holds refused statements
};

using ScriptRule = ScriptDecision (*)(const ScriptSource& script, const ScriptShape& shape);

/// The layout's tool and its rule for scripts.
struct LayoutRules {
  std::string_view tool; // "golang-migrate", for messages
  ScriptRule rule;
};

/// Checks every candidate's scripts (in parallel), applies `rules`, and builds the set. Problems
/// of up scripts, duplicate versions (or repeatable descriptions) and an order of the tool's
/// that integer versions cannot keep are thrown as one Error(input) together with `errors`; a down
/// script's problem is kept on the script (Script::problem) for the command that would run it.
MigrationSet assemble(std::vector<Candidate>&& candidates, std::vector<Error>&& errors,
                      const LayoutRules& rules, const DiscoveryOptions& options);

/// Error(input) at `offset` of `sql` in `path`.
Error error_at(const std::string& path, std::string_view sql, std::size_t offset,
               std::string message, std::string hint = {});

/// Error(input) naming a file only.
Error file_error(const std::string& path, std::string message, std::string hint = {});

/// The dry-run refusal for a script that commits itself or holds a refused statement.
Error dry_run_refusal(const ScriptSource& script, const ScriptShape& shape);

/// The rule of tools that send a script as one query outside any transaction of their own
/// (golang-migrate; dbmate with transaction:false; diesel with run_in_transaction = false):
/// PostgreSQL runs a multi-statement query as one implicit transaction block, so a refused
/// statement only works alone in its file.
ScriptDecision one_query_rule(const ScriptSource& script, const ScriptShape& shape,
                              std::string_view tool, std::string_view fix);

/// How a tool that runs each script in a transaction of its own names what it runs, for the
/// messages of in_transaction_rule().
struct TransactionWording {
  std::string_view tool;  // "dbmate"
  std::string_view unit;  // what one transaction holds: "migration", or dbmate's "block"
  bool history_row_in_it; // the tool writes its history row in that same transaction
  std::string_view hint;  // how a script opts out of the transaction, in the tool's terms
};

/// The rule of tools that run each script in a transaction of their own (goose, dbmate,
/// diesel): transaction control would end it, and a statement PostgreSQL refuses in a
/// transaction block fails; either is a problem located at its statement.
ScriptDecision in_transaction_rule(const ScriptSource& script, const ScriptShape& shape,
                                   const TransactionWording& wording);

/// `text` with bytes [begin, end) replaced by spaces, newlines kept.
void blank_out(std::string& text, std::size_t begin, std::size_t end);

/// True if `s` is non-empty and all ASCII digits.
bool all_digits(std::string_view s);

} // namespace preflight::migrate::layouts
