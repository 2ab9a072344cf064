#pragma once
// PostgreSQL's table lock modes and what each one blocks for the application's traffic
// (PostgreSQL docs, "Explicit Locking", table 13.2): the shared vocabulary of lint and trace.

#include <optional>
#include <string>
#include <string_view>

namespace preflight::migrate {

// Ordered from weakest to strongest, as PostgreSQL lists them.
enum class LockMode {
  access_share,
  row_share,
  row_exclusive,
  share_update_exclusive,
  share,
  share_row_exclusive,
  exclusive,
  access_exclusive,
};

// What a lock held by a migration stops the application from doing.
enum class Blocked {
  nothing,          // ACCESS SHARE, ROW SHARE, ROW EXCLUSIVE: only conflicts with DDL
  other_ddl,        // SHARE UPDATE EXCLUSIVE: other DDL, VACUUM, ANALYZE; not reads or writes
  writes,           // SHARE, SHARE ROW EXCLUSIVE, EXCLUSIVE: INSERT, UPDATE, DELETE
  reads_and_writes, // ACCESS EXCLUSIVE: every query, even SELECT
};

/// PostgreSQL's name of the mode, e.g. "ACCESS EXCLUSIVE".
std::string lock_mode_name(LockMode mode);

/// The mode of a pg_locks.mode value such as "ShareLock"; nullopt for other strings.
std::optional<LockMode> lock_mode_from_pg(std::string_view pg_mode);

/// The mode of a LOCK statement's numeric mode in the parse tree (1 = ACCESS SHARE … 8).
std::optional<LockMode> lock_mode_from_number(int number);

/// What `mode` blocks for concurrent sessions.
Blocked blocked_by(LockMode mode);

/// Words for `blocked`, e.g. "reads and writes".
std::string describe(Blocked blocked);

/// True for SHARE and stronger: the modes that block writes on a live table.
bool is_dangerous(LockMode mode);

} // namespace preflight::migrate
