#include "io/pg/connection_string.h"

#include <libpq-fe.h>

#include "core/config/connection_text.h"

namespace preflight::pg {

std::optional<ConnectionParameters> parse_connection_string(const std::string& conninfo,
                                                            std::string& problem) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (options == nullptr) {
    problem = error ? config::redact_password(error, conninfo) : "out of memory";
    while (!problem.empty() && (problem.back() == '\n' || problem.back() == ' '))
      problem.pop_back();
    PQfreemem(error);
    return std::nullopt;
  }
  ConnectionParameters parameters;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val != nullptr) parameters.emplace_back(o->keyword, o->val);
  }
  PQconninfoFree(options);
  return parameters;
}

} // namespace preflight::pg
