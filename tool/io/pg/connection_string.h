#pragma once
// A connection string read by libpq's own parser (PQconninfoParse), so that what preflight
// accepts before connecting is exactly what connecting accepts.

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace preflight::pg {

/// The keyword/value pairs of a connection string, in libpq's order (only those with a value).
using ConnectionParameters = std::vector<std::pair<std::string, std::string>>;

/// Parses a libpq URL or keyword string; nullopt when libpq refuses it, with libpq's message
/// (passwords masked, no trailing newline) in `problem`.
std::optional<ConnectionParameters> parse_connection_string(const std::string& conninfo,
                                                            std::string& problem);

} // namespace preflight::pg
