#pragma once
// The wall clock in UTC, as the timestamps preflight writes: results and check reports
// (ISO 8601) and new migration versions (sqlx's YYYYMMDDHHMMSS).

#include <string>

namespace preflight {

/// Now in UTC as ISO 8601 to the second, e.g. "2026-11-25T23:50:23Z".
std::string utc_iso8601_now();

/// Now in UTC as 14 digits, YYYYMMDDHHMMSS (the version `migrate new` gives a migration).
std::string utc_digits_now();

} // namespace preflight
