#pragma once
// Bytes that must never reach PostgreSQL as SQL: a NUL (libpq sends a C string, so everything
// after it would be silently dropped) and text that is not UTF-8. Checked on every SQL text
// preflight reads (migration files of any layout, suites, checks), before anything runs.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace preflight::sql {

/// Byte offset of the first byte of `text` that is not part of valid UTF-8 (overlong forms,
/// surrogates and values past U+10FFFF included), or std::string_view::npos.
std::size_t invalid_utf8_offset(std::string_view text);

/// Error(input) at `file`:line:column for the first NUL byte or invalid UTF-8 in the SQL
/// `text`, or nullopt if there is none.
std::optional<Error> check_sql_bytes(std::string_view text, const std::string& file);

/// Error(input) at `at` if the configuration string `value` (named `key` in messages) holds a
/// NUL character, or nullopt.
std::optional<Error> check_config_string(std::string_view value, std::string_view key,
                                         const Location& at);

} // namespace preflight::sql
