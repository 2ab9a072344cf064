#pragma once
// What a lock_timeout setting means for missing-lock-timeout: PostgreSQL reads the value as
// milliseconds with an optional unit, and 0 turns the timeout off (waits forever).

#include <string_view>

namespace preflight::lint {

/// True if `value` (as written after SET lock_timeout =, in set_config() or in preflight.toml)
/// limits the wait: it parses as PostgreSQL parses it and rounds to at least 1 ms. False for
/// 0, "0s", "0.2ms", negative and unparseable values.
bool lock_timeout_limits_wait(std::string_view value);

} // namespace preflight::lint
