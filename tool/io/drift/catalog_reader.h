#pragma once
// Reads a database's schema into drift::Catalog in a fixed number of set-based catalog queries
// (one per object kind, never one per object), inside one READ ONLY REPEATABLE READ transaction
// so that every query sees the same schema and nothing can be written.

#include <string>

#include "core/drift/catalog.h"
#include "io/pg/pg_session.h"

namespace preflight::drift {

/// Reads the catalog of `session`'s database, leaving out system schemas, objects that belong to
/// an extension and the migration history table `history_table` ("[schema.]table"; unqualified,
/// a table of that name in any schema). Throws Error(problem) on an SQL error.
Catalog read_catalog(pg::PgSession& session, const std::string& history_table);

} // namespace preflight::drift
