#pragma once
// Text handling of connection settings that must be right without a server: DATABASE_URL in a
// .env file, and masking passwords before anything is shown.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace preflight::config {

/// The DATABASE_URL value of a .env file's text, if any (the last one wins; quotes removed,
/// `export` allowed, comments and blank lines skipped).
std::optional<std::string> database_url_from_dotenv(const std::string& text);

/// A libpq URL or keyword string (or any text quoting one) with every password replaced by "***".
std::string redact_password(std::string_view conninfo);

/// The passwords a connection string carries, as written and as libpq decodes them (URL
/// percent-encoding, keyword quoting and backslash escapes).
std::vector<std::string> passwords_in(std::string_view conninfo);

/// `text` (e.g. libpq's error message about `conninfo`) with the patterns above masked and every
/// password of `conninfo` masked wherever it appears (libpq quotes a bad token on its own).
std::string redact_password(std::string_view text, std::string_view conninfo);

} // namespace preflight::config
