#pragma once
// How a dry run is carried out: in one rolled-back transaction, or for real on a throwaway copy
// of the database. Estimates the locks one rolled-back transaction would hold (every relation a
// plan touches or creates, counted with the real parser) and decides against the room left in
// the server's lock table.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/migrate/migration_set.h"

namespace preflight::migrate {

enum class DryRunMode { transaction, copy, automatic };

/// "transaction", "copy" or "auto" as the mode; nullopt for anything else.
std::optional<DryRunMode> parse_dry_run_mode(std::string_view text);
/// The mode's name as the user writes it ("auto" for automatic).
std::string to_string(DryRunMode mode);

/// What a plan's SQL says about the locks one transaction running all of it would take.
struct LockEstimate {
  /// Relations the statements name (quoted, schema-qualified when written so): each is one lock.
  std::set<std::string> named;
  /// Relations the statements create without naming them: TOAST tables and their indexes,
  /// sequences of serial and identity columns, indexes of PRIMARY KEY / UNIQUE / EXCLUDE
  /// constraints, the transient heap of a rewriting ALTER TABLE.
  std::int64_t unnamed = 0;
  /// Versions of migrations in the plan whose script runs without a transaction.
  std::vector<std::int64_t> no_transaction;
  /// Locks every transaction holds besides the relations: its own ids, the advisory migration
  /// lock, system catalogs beyond the backend's 16 fast-path slots.
  static constexpr std::int64_t k_fixed = 64;

  /// The estimate: named + unnamed + `dependents` (indexes, TOAST and owned sequences of named
  /// relations that already exist, counted on the server) + k_fixed.
  std::int64_t total(std::int64_t dependents) const;
};

/// Counts the relations `plan`'s scripts (down scripts when `down`) touch or create; scripts
/// that do not parse count nothing (discovery has refused them already).
LockEstimate estimate_locks(const std::vector<const Migration*>& plan, bool down);

/// The server's shared lock table and how full it is now.
struct LockSpace {
  std::int64_t max_locks_per_transaction = 64;
  std::int64_t max_connections = 100;
  std::int64_t max_prepared_transactions = 0;
  std::int64_t held_by_others = 0; // pg_locks entries (not fast-path) of other sessions

  /// max_locks_per_transaction × (max_connections + max_prepared_transactions): PostgreSQL's
  /// documented size, a lower bound of the real one (which adds background processes).
  std::int64_t capacity() const;
  /// capacity() minus what other sessions hold, never negative.
  std::int64_t available() const;
};

struct DryRunChoice {
  DryRunMode mode = DryRunMode::transaction; // never automatic
  std::string reason;                        // one sentence, for the output
};

/// Picks the mode: the one requested, or for `automatic` a copy when a migration runs without a
/// transaction or `locks` (LockEstimate::total) may not fit in `space`, else a transaction.
DryRunChoice choose_dry_run_mode(DryRunMode requested, const LockEstimate& estimate,
                                 std::int64_t locks, const LockSpace& space);

} // namespace preflight::migrate
