#pragma once
// A small libpq adapter. libpqxx 6.4 hides the PGconn and drops PostgreSQL's diagnostic fields
// (error position, detail, hint), which the migration executor must report in file terms; so
// the executor and the other migration code talk to libpq through this class. <libpq-fe.h> is
// included only inside io/pg/: the libpq types below are its own, declared, never defined here.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

// libpq's handles (PGconn, PGresult, PGcancel in <libpq-fe.h>).
struct pg_conn;
struct pg_result;
struct pg_cancel;

namespace preflight::pg {

/// What PostgreSQL said about a failed statement.
struct SqlFailure {
  std::string sqlstate;
  std::string message;
  std::string detail;
  std::string hint;
  std::string context;
  std::size_t position = 0; // 1-based character in the statement, 0 if none

  /// "ERROR 42P01: relation \"x\" does not exist" plus detail on its own line.
  std::string describe() const;
};

/// A fully fetched result.
class PgResult {
public:
  PgResult() = default;
  /// Takes ownership of `result` (cleared when the last copy goes).
  explicit PgResult(pg_result* result);

  int rows() const { return m_rows; }
  int columns() const { return m_columns; }
  bool is_null(int row, int column) const;
  /// The value as text ("" for NULL).
  std::string get(int row, int column) const;
  std::optional<std::string> get_optional(int row, int column) const;
  std::int64_t get_int(int row, int column) const;
  bool get_bool(int row, int column) const;
  /// The value's text without a copy, valid while this result lives ("" for NULL).
  std::string_view view(int row, int column) const;
  /// Rows affected by a command (PQcmdTuples), 0 if none.
  std::int64_t affected() const { return m_affected; }

private:
  int m_rows = 0;
  int m_columns = 0;
  std::int64_t m_affected = 0;
  // Cells are read from libpq's own copy on demand: copying 60,000 history cells into strings
  // up front cost more than the query (`migrate status` on 10,000 migrations).
  std::shared_ptr<const pg_result> m_result;
};

/// Outcome of a statement that may fail without throwing.
struct Outcome {
  PgResult result;
  std::optional<SqlFailure> failure;
  bool ok() const { return !failure; }
};

using Params = std::vector<std::optional<std::string>>;

/// Asks the server to cancel whatever every open session is running (PQcancel), as psql does
/// on Ctrl-C: a statement interrupted by a signal must not go on holding its locks until it
/// finishes on its own. Async-signal-safe: for signal handlers.
void cancel_running_statements() noexcept;

class PgSession {
public:
  /// Connects with a libpq URL or keyword string ("" uses the PG* environment variables);
  /// throws Error(connection) with the password removed from every message.
  static std::unique_ptr<PgSession> connect(const std::string& conninfo,
                                            const std::string& application_name = "preflight");
  /// A second session to the same server and database with the same credentials (for work
  /// that must run beside this one, e.g. watching what blocks it), or to `database` on the same
  /// server when given; throws like connect().
  std::unique_ptr<PgSession> connect_again(const std::string& application_name,
                                           const std::string& database = {}) const;
  ~PgSession();
  PgSession(const PgSession&) = delete;
  /// Closes the connection, runs `while_away`, and connects again with the same parameters, as
  /// a new backend without session state: for what the server refuses while this database has a
  /// session (CREATE DATABASE … TEMPLATE it). Throws Error(connection) if it cannot reconnect,
  /// else what `while_away` throws.
  void step_away(const std::function<void()>& while_away);
  PgSession& operator=(const PgSession&) = delete;
  /// True while the connection is usable (PQstatus is CONNECTION_OK).
  bool connected() const;
  /// Connects again with the same parameters after the connection was lost (PQreset), as a new
  /// backend without session state (prepared statements are gone); returns connected().
  bool reset();

  /// Runs `sql` (one or more statements, no parameters); throws Error(problem) on an SQL error,
  /// Error(connection) if the connection is lost.
  PgResult exec(std::string_view sql);
  /// Runs one statement with text parameters $1…$n; throws like exec().
  PgResult exec_params(std::string_view sql, const Params& params);
  /// Runs one statement without parameters, its values in PostgreSQL's binary format (read them
  /// with PgResult::view); throws like exec().
  PgResult exec_binary(std::string_view sql);
  /// Runs `sql` and returns PostgreSQL's diagnostics instead of throwing on an SQL error;
  /// still throws Error(connection) if the connection is lost.
  Outcome try_exec(std::string_view sql);
  Outcome try_exec_params(std::string_view sql, const Params& params);

  /// Quotes an identifier (PQescapeIdentifier).
  std::string quote_name(std::string_view name);
  /// Quotes a literal (PQescapeLiteral).
  std::string quote_literal(std::string_view value);

  std::string database_name() const;
  /// True while a transaction block is open on the connection (also one aborted by an error).
  bool in_transaction() const;
  int backend_pid() const;
  int server_version() const; // e.g. 150018
  /// The session's socket (PQsocket), -1 when closed.
  int socket() const;

private:
  // Only the libpq-level code of io/pg/ (which includes <libpq-fe.h>) reaches the connection:
  // everything else goes through the methods above.
  friend class CancelHandle;      // PQgetCancel
  friend class DatabaseCopy;      // PQconninfo, so that pg_dump reaches the same server
  friend class PreparedStatement; // PQprepare, PQexecPrepared
  pg_conn* raw() { return m_conn; }

  explicit PgSession(pg_conn* conn);
  void register_cancel(); // so that cancel_running_statements() reaches this connection
  void unregister_cancel();
  Outcome finish(pg_result* result);
  PgResult or_throw(Outcome outcome, std::string_view sql);

  pg_conn* m_conn;
  pg_cancel* m_cancel = nullptr;
};

/// A libpq URL or keyword string with any password replaced by "***".
std::string redact_password(std::string_view conninfo);

} // namespace preflight::pg
