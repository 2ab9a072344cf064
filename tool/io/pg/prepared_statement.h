#pragma once
// One statement prepared on a session, executed through libpq with nothing between the two clock
// reads but the round trip (PQexecPrepared): the timing loop of `bench run` and `bench compare
// --confirm` measures with it. Deallocated when it goes.

#include <chrono>
#include <string>
#include <vector>

#include "io/pg/pg_session.h"

namespace preflight::pg {

/// How a libpq call went: ok, or PostgreSQL's message (trimmed), or a lost connection.
struct CallOutcome {
  bool ok = true;
  bool connection_lost = false;
  std::string message;
  std::string sqlstate; // PostgreSQL's error code, "" when it sent none (e.g. connection lost)
};

class PreparedStatement {
public:
  /// Prepares `sql` as statement `name` on `session`; check prepared() before using it.
  PreparedStatement(PgSession& session, std::string name, const std::string& sql);
  ~PreparedStatement();
  PreparedStatement(const PreparedStatement&) = delete;
  PreparedStatement& operator=(const PreparedStatement&) = delete;

  /// How the PREPARE went.
  const CallOutcome& prepared() const { return m_prepared; }
  /// Prepares the statement again after the session connected anew (PgSession::reset), whose
  /// backend knows no statements; returns how it went (also from prepared()).
  const CallOutcome& prepare_again();
  /// Executes with text `values`.
  CallOutcome execute(const std::vector<const char*>& values);
  /// Executes with text `values` and sets `elapsed` to the time PQexecPrepared took.
  CallOutcome execute_timed(const std::vector<const char*>& values,
                            std::chrono::steady_clock::duration& elapsed);
  /// Runs a command without a result (BEGIN, ROLLBACK) on the same session.
  CallOutcome command(const char* sql);
  /// Rolls back without looking at the result (after a failure that is already being reported).
  void rollback_quietly();

private:
  PgSession& m_session;
  std::string m_name;
  std::string m_sql;
  CallOutcome m_prepared;
};

} // namespace preflight::pg
