#include "io/pg/server_probe.h"

#include <libpq-fe.h>

namespace preflight::pg {

bool accepts_connections(const std::string& conninfo) {
  return PQping(conninfo.c_str()) == PQPING_OK;
}

std::string run_once(const std::string& conninfo, const std::string& sql) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  PGresult* result = PQexec(conn, sql.c_str());
  const bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
  std::string error = ok ? "" : PQerrorMessage(conn);
  if (!ok && error.empty()) error = "the server refused the command";
  PQclear(result);
  PQfinish(conn);
  return error;
}

} // namespace preflight::pg
