#include "io/pg/prepared_statement.h"

#include <libpq-fe.h>

#include <fmt/format.h>

namespace preflight::pg {

namespace {

// A PGresult owned for the length of one check.
struct ResultGuard {
  PGresult* result;
  ~ResultGuard() { PQclear(result); }
};

CallOutcome outcome_of(PGconn* conn, PGresult* result, bool ok) {
  if (ok) return {};
  CallOutcome outcome;
  outcome.ok = false;
  if (result != nullptr) {
    if (const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE)) outcome.sqlstate = state;
  }
  outcome.connection_lost = result == nullptr || PQstatus(conn) != CONNECTION_OK;
  // A lost connection's message is libpq's own ("server closed the connection unexpectedly").
  outcome.message = outcome.connection_lost ? PQerrorMessage(conn) : PQresultErrorMessage(result);
  while (!outcome.message.empty() &&
         (outcome.message.back() == '\n' || outcome.message.back() == ' ')) {
    outcome.message.pop_back();
  }
  return outcome;
}

} // namespace

PreparedStatement::PreparedStatement(PgSession& session, std::string name, const std::string& sql)
    : m_session(session), m_name(std::move(name)), m_sql(sql) {
  prepare_again();
}

const CallOutcome& PreparedStatement::prepare_again() {
  PGconn* conn = m_session.raw();
  ResultGuard r{PQprepare(conn, m_name.c_str(), m_sql.c_str(), 0, nullptr)};
  m_prepared = outcome_of(conn, r.result, PQresultStatus(r.result) == PGRES_COMMAND_OK);
  return m_prepared;
}

PreparedStatement::~PreparedStatement() {
  PQclear(PQexec(m_session.raw(), fmt::format("DEALLOCATE {}", m_name).c_str()));
}

CallOutcome PreparedStatement::execute(const std::vector<const char*>& values) {
  PGconn* conn = m_session.raw();
  ResultGuard result{PQexecPrepared(conn, m_name.c_str(), static_cast<int>(values.size()),
                                    values.data(), nullptr, nullptr, 0)};
  const auto status = PQresultStatus(result.result);
  return outcome_of(conn, result.result, status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK);
}

CallOutcome PreparedStatement::execute_timed(const std::vector<const char*>& values,
                                             std::chrono::steady_clock::duration& elapsed) {
  PGconn* conn = m_session.raw();
  const auto start = std::chrono::steady_clock::now();
  PGresult* result = PQexecPrepared(conn, m_name.c_str(), static_cast<int>(values.size()),
                                    values.data(), nullptr, nullptr, 0);
  const auto stop = std::chrono::steady_clock::now();
  elapsed = stop - start;
  ResultGuard guard{result};
  const auto status = PQresultStatus(result);
  return outcome_of(conn, result, status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK);
}

CallOutcome PreparedStatement::command(const char* sql) {
  PGconn* conn = m_session.raw();
  ResultGuard r{PQexec(conn, sql)};
  return outcome_of(conn, r.result, PQresultStatus(r.result) == PGRES_COMMAND_OK);
}

void PreparedStatement::rollback_quietly() {
  PQclear(PQexec(m_session.raw(), "ROLLBACK"));
}

} // namespace preflight::pg
