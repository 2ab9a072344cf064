#pragma once
// `preflight check --from-migration V`: schema checks derived from what migration V's up script
// creates, read with the real PostgreSQL parser, so that confirming a migration landed needs no
// hand-written checks.

#include <vector>

#include "core/check/check_file.h"
#include "core/migrate/migration_set.h"

namespace preflight::check {

/// A `migration` check that `migration` is applied (not necessarily the newest), then one
/// `schema` check per object its up script creates: CREATE TABLE (table and its columns),
/// CREATE INDEX (columns, order, uniqueness), ALTER TABLE ADD CONSTRAINT (columns, referenced
/// table, ON DELETE action) and ADD COLUMN. Each check is located at its statement's line.
std::vector<Check> derive_checks(const migrate::Migration& migration);

} // namespace preflight::check
