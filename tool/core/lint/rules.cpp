#include "core/lint/rules.h"

namespace preflight::lint {

const std::vector<Rule>& all_rules() {
  static const std::vector<Rule> rules{
      {"create-index-not-concurrently", Level::error,
       "CREATE INDEX without CONCURRENTLY on an existing table blocks writes for the whole build"},
      {"drop-index-not-concurrently", Level::error,
       "DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the table"},
      {"reindex-not-concurrently", Level::error,
       "REINDEX without CONCURRENTLY blocks writes to the table"},
      {"detach-partition-not-concurrently", Level::error,
       "DETACH PARTITION without CONCURRENTLY takes ACCESS EXCLUSIVE on the parent table"},
      {"concurrently-in-transaction", Level::error,
       "CONCURRENTLY cannot run inside a transaction block: the migration fails at run time"},
      {"cannot-run-in-transaction", Level::error,
       "VACUUM, CREATE DATABASE, ALTER SYSTEM and other statements PostgreSQL refuses inside a "
       "transaction block: the migration fails at run time"},
      {"add-foreign-key-without-not-valid", Level::error,
       "ADD FOREIGN KEY validates every row while blocking writes on both tables"},
      {"add-check-without-not-valid", Level::error,
       "ADD CHECK validates every row under ACCESS EXCLUSIVE"},
      {"add-unique-without-using-index", Level::error,
       "ADD UNIQUE / PRIMARY KEY builds its index under ACCESS EXCLUSIVE"},
      {"add-exclusion-constraint", Level::error,
       "ADD EXCLUDE builds its index and checks every row under ACCESS EXCLUSIVE"},
      {"alter-column-type-rewrite", Level::error,
       "ALTER COLUMN TYPE to a type that is not binary-coercible rewrites the table under ACCESS "
       "EXCLUSIVE"},
      {"set-not-null-without-check", Level::error,
       "SET NOT NULL scans the table under ACCESS EXCLUSIVE unless a validated CHECK proves it"},
      {"add-column-volatile-default", Level::error,
       "ADD COLUMN with a volatile default rewrites the table under ACCESS EXCLUSIVE"},
      {"add-column-required-without-default", Level::error,
       "ADD COLUMN NOT NULL without a default fails on a non-empty table and breaks running "
       "inserts"},
      {"drop-table", Level::warning, "DROP TABLE breaks code that still uses the table"},
      {"drop-column", Level::warning, "DROP COLUMN breaks code that still uses the column"},
      {"rename-table", Level::warning,
       "RENAME of a table breaks code that still uses the old name"},
      {"rename-column", Level::warning, "RENAME COLUMN breaks code that still uses the old name"},
      {"truncate-cascade", Level::error,
       "TRUNCATE … CASCADE also empties every table that references it"},
      {"vacuum-full", Level::error, "VACUUM FULL rewrites the table under ACCESS EXCLUSIVE"},
      {"cluster", Level::error, "CLUSTER rewrites the table under ACCESS EXCLUSIVE"},
      {"missing-lock-timeout", Level::warning,
       "a migration taking SHARE or stronger locks on existing tables without lock_timeout can "
       "queue "
       "every query behind it"},
      {"nested-transaction", Level::error,
       "transaction control (BEGIN, COMMIT, SAVEPOINT, …) inside a migration that preflight "
       "already "
       "runs in a transaction, or misplaced in a -- no-transaction migration"},
      {"unterminated-transaction", Level::error,
       "BEGIN without COMMIT in a -- no-transaction migration"},
      {"down-does-not-undo", Level::warning,
       "the down migration does not drop an index, table or constraint that the up migration "
       "creates"},
  };
  return rules;
}

const Rule* find_rule(std::string_view id) {
  for (const auto& rule : all_rules()) {
    if (rule.id == id) return &rule;
  }
  return nullptr;
}

std::string to_string(Level level) {
  switch (level) {
  case Level::off: return "off";
  case Level::warning: return "warning";
  case Level::error: return "error";
  }
  return "error";
}

std::optional<Level> level_from_string(std::string_view name) {
  if (name == "off") return Level::off;
  if (name == "warning") return Level::warning;
  if (name == "error") return Level::error;
  return std::nullopt;
}

} // namespace preflight::lint
