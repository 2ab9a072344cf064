#pragma once
// The read-only guard: a check's SQL is classified with the real PostgreSQL parser before it is
// sent, and anything that could write or have side effects outside the transaction is refused.
// The READ ONLY transaction every check runs in is the second line of defence, not the first.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/check/check_file.h"

namespace preflight::check {

enum class QueryUse {
  sql,  // a `sql` check: SELECT, VALUES, SHOW, or EXPLAIN (without ANALYZE) of a SELECT
  plan, // a `plan` check: a SELECT or VALUES that preflight wraps in EXPLAIN itself
};

/// Why `sql` must not run in a check, or nullopt when it is read-only. SQL that does not parse
/// is refused with the parser's message and position.
std::optional<std::string> write_refusal(std::string_view sql, QueryUse use);

/// Refuses every check whose SQL could write: one Error(input) listing each, located at the
/// check's `query` (file:line), nothing having run. `statements` checks are not classified:
/// their SQL is only fingerprinted, never executed.
void refuse_writes(const std::vector<Check>& checks);

} // namespace preflight::check
