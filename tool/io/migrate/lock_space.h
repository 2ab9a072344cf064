#pragma once
// What the server says about lock space for a dry run: the size of its shared lock table, how
// much other sessions hold now, and the relations that come with those a plan names.

#include <cstdint>
#include <set>
#include <string>

#include "core/migrate/dry_run_plan.h"
#include "io/pg/pg_session.h"

namespace preflight::migrate {

/// max_locks_per_transaction, max_connections, max_prepared_transactions and the pg_locks
/// entries of other sessions (fast-path ones excluded: they take no room in the shared table).
LockSpace read_lock_space(pg::PgSession& session);

/// The indexes, TOAST tables (with their index) and owned sequences of the relations in `named`
/// (quoted names, as LockEstimate::named) that exist now: locking a table for DROP or a write
/// locks them too. Names that do not exist yet count nothing here.
std::int64_t count_dependent_relations(pg::PgSession& session, const std::set<std::string>& named);

} // namespace preflight::migrate
