#pragma once
// Short libpq calls on a server without a session object: is it up yet (PQping), and one command
// on a fresh connection (the throwaway cluster's set-up).

#include <string>

namespace preflight::pg {

/// True when the server at `conninfo` accepts connections (PQping).
bool accepts_connections(const std::string& conninfo);

/// Runs `sql` on a new connection to `conninfo`; returns "" on success, else libpq's message.
std::string run_once(const std::string& conninfo, const std::string& sql);

} // namespace preflight::pg
