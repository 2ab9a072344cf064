#include "io/pg/pg_session.h"

#include <libpq-fe.h>

#include <array>
#include <atomic>
#include <cctype>

#include <fmt/format.h>

#include "core/config/connection_text.h"
#include "io/pg/connection_string.h"

namespace preflight::pg {

std::string SqlFailure::describe() const {
  std::string text = fmt::format("ERROR {}: {}", sqlstate, message);
  if (!detail.empty()) text += "\nDETAIL: " + detail;
  return text;
}

PgResult::PgResult(PGresult* result) : m_result(result, PQclear) {
  m_rows = PQntuples(result);
  m_columns = PQnfields(result);
  const char* tuples = PQcmdTuples(result);
  if (tuples && *tuples) m_affected = std::stoll(tuples);
}

bool PgResult::is_null(int row, int column) const {
  return !get_optional(row, column).has_value();
}

std::optional<std::string> PgResult::get_optional(int row, int column) const {
  if (row < 0 || row >= m_rows || column < 0 || column >= m_columns) {
    throw Error(ErrorKind::internal, fmt::format("result has no cell ({}, {})", row, column));
  }
  if (PQgetisnull(m_result.get(), row, column)) return std::nullopt;
  return std::string(view(row, column));
}

std::string_view PgResult::view(int row, int column) const {
  if (row < 0 || row >= m_rows || column < 0 || column >= m_columns) {
    throw Error(ErrorKind::internal, fmt::format("result has no cell ({}, {})", row, column));
  }
  return {PQgetvalue(m_result.get(), row, column),
          static_cast<std::size_t>(PQgetlength(m_result.get(), row, column))};
}

std::string PgResult::get(int row, int column) const {
  return std::string(view(row, column));
}

std::int64_t PgResult::get_int(int row, int column) const {
  auto text = get(row, column);
  return text.empty() ? 0 : std::stoll(text);
}

bool PgResult::get_bool(int row, int column) const {
  return view(row, column) == "t";
}

namespace {

std::string field(const PGresult* result, int code) {
  const char* value = PQresultErrorField(result, code);
  return value ? value : "";
}

// `conninfo`: what the connection was asked with, whose passwords must not show in the message
// (libpq quotes a token it cannot parse, e.g. a bad percent-escape in a password, on its own).
// A libpq message as users see it: without its trailing newline, passwords masked.
std::string shown(std::string message, std::string_view conninfo) {
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return config::redact_password(message, conninfo);
}

std::string libpq_message(PGconn* conn, std::string_view conninfo) {
  return shown(conn ? PQerrorMessage(conn) : "out of memory", conninfo);
}

Error connection_error(PGconn* conn, std::string_view doing, std::string_view conninfo = {}) {
  return Error(ErrorKind::connection, fmt::format("{}: {}", doing, libpq_message(conn, conninfo)),
               "check --database-url / DATABASE_URL, that the server is running and that the "
               "credentials are right");
}

bool starts_with_no_case(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}

// A connection string libpq cannot parse is bad input (exit 2), not an unreachable server (4).
// Text without '=' that is not a URL is a database name to libpq, as on psql's command line.
void check_connection_string(const std::string& conninfo) {
  if (conninfo.find('=') == std::string::npos && !starts_with_no_case(conninfo, "postgresql://") &&
      !starts_with_no_case(conninfo, "postgres://"))
    return;
  std::string problem;
  if (parse_connection_string(conninfo, problem)) return;
  throw Error(ErrorKind::usage, "the connection string does not parse: " + problem,
              "give a postgresql://user@host:port/dbname URL (the scheme in lower case, special "
              "characters percent-encoded) or libpq keyword=value pairs");
}

std::vector<const char*> c_params(const Params& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  return values;
}

} // namespace

std::unique_ptr<PgSession> PgSession::connect(const std::string& conninfo,
                                              const std::string& application_name) {
  // Passing the application name through the expand_dbname form keeps URL and keyword inputs.
  check_connection_string(conninfo);
  const char* keywords[] = {"dbname", "application_name", "fallback_application_name", nullptr};
  const char* values[] = {conninfo.c_str(), nullptr, application_name.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, 1);
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    Error error = connection_error(conn, "cannot connect to the database", conninfo);
    // libpq checks option values (sslmode, port, target_session_attrs, …) only when connecting,
    // and says so before any network activity: "invalid sslmode value: …". That is bad usage.
    const std::string message = libpq_message(conn, conninfo);
    PQfinish(conn);
    if (message.starts_with("invalid ")) {
      throw Error(ErrorKind::usage, "the connection string has an invalid value: " + message,
                  "see the libpq connection parameters: "
                  "https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-PARAMKEYWORDS");
    }
    throw error;
  }
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  return std::unique_ptr<PgSession>(new PgSession(conn));
}

namespace {

// PQconninfo returns the options a connection really used (host, port, user, password, dbname,
// sslmode, application_name, …), so a new connection from them reaches the same place however
// the first was named.
std::vector<std::pair<std::string, std::string>> parameters_of(PGconn* conn) {
  PQconninfoOption* options = PQconninfo(conn);
  if (options == nullptr)
    throw Error(ErrorKind::connection, "cannot read this connection's parameters");
  std::vector<std::pair<std::string, std::string>> parameters;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val != nullptr) parameters.emplace_back(o->keyword, o->val);
  }
  PQconninfoFree(options);
  return parameters;
}

PGconn* connect_with(const std::vector<std::pair<std::string, std::string>>& parameters,
                     const char* failing) {
  std::vector<const char*> keywords;
  std::vector<const char*> values;
  for (const auto& [keyword, value] : parameters) {
    keywords.push_back(keyword.c_str());
    values.push_back(value.c_str());
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* conn = PQconnectdbParams(keywords.data(), values.data(), 0);
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    Error error = connection_error(conn, failing);
    PQfinish(conn);
    throw error;
  }
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  return conn;
}

} // namespace

std::unique_ptr<PgSession> PgSession::connect_again(const std::string& application_name,
                                                    const std::string& database) const {
  auto parameters = parameters_of(m_conn);
  std::erase_if(parameters, [](const auto& p) {
    return p.first == "application_name" || p.first == "fallback_application_name";
  });
  for (auto& [keyword, value] : parameters) {
    if (keyword == "dbname" && !database.empty()) value = database;
  }
  parameters.emplace_back("application_name", application_name);
  return std::unique_ptr<PgSession>(
      new PgSession(connect_with(parameters, "cannot open a second connection to the database")));
}

void PgSession::step_away(const std::function<void()>& while_away) {
  const auto parameters = parameters_of(m_conn);
  unregister_cancel();
  PQfinish(m_conn);
  m_conn = nullptr;
  std::exception_ptr failed;
  try {
    while_away();
  } catch (...) {
    failed = std::current_exception();
  }
  m_conn = connect_with(parameters, "cannot connect to the database again");
  register_cancel();
  if (failed) std::rethrow_exception(failed);
}

bool PgSession::connected() const {
  return PQstatus(m_conn) == CONNECTION_OK;
}

bool PgSession::reset() {
  // The new backend has a new cancel key: Ctrl-C must reach it, not the one that is gone.
  unregister_cancel();
  PQreset(m_conn);
  register_cancel();
  return connected();
}

namespace {

// The cancel handles of open sessions, for cancel_running_statements() in a signal handler.
constexpr std::size_t k_cancel_slots = 64;
std::array<std::atomic<PGcancel*>, k_cancel_slots> g_cancels{};

} // namespace

void cancel_running_statements() noexcept {
  char failure[256];
  for (auto& slot : g_cancels) {
    if (PGcancel* cancel = slot.load()) PQcancel(cancel, failure, sizeof failure);
  }
}

PgSession::PgSession(PGconn* conn) : m_conn(conn) {
  register_cancel();
}

void PgSession::register_cancel() {
  m_cancel = PQgetCancel(m_conn);
  if (m_cancel == nullptr) return;
  for (auto& slot : g_cancels) {
    PGcancel* empty = nullptr;
    if (slot.compare_exchange_strong(empty, m_cancel)) return;
  }
}

void PgSession::unregister_cancel() {
  if (m_cancel == nullptr) return;
  for (auto& slot : g_cancels) {
    PGcancel* mine = m_cancel;
    if (slot.compare_exchange_strong(mine, nullptr)) break;
  }
  PQfreeCancel(m_cancel);
  m_cancel = nullptr;
}

PgSession::~PgSession() {
  unregister_cancel();
  PQfinish(m_conn);
}

Outcome PgSession::finish(PGresult* result) {
  Outcome outcome;
  if (result == nullptr) throw connection_error(m_conn, "lost the connection to the database");
  auto status = PQresultStatus(result);
  if (status == PGRES_FATAL_ERROR || status == PGRES_NONFATAL_ERROR ||
      status == PGRES_BAD_RESPONSE) {
    // An error the server did not send (no SQLSTATE, no message) is libpq's own: after a server
    // restart the first statement of a session that was idle fails so, before libpq marks the
    // connection bad (seen with pg_ctl stop -m immediate while a run polled for the lock).
    if (PQstatus(m_conn) != CONNECTION_OK || (field(result, PG_DIAG_SQLSTATE).empty() &&
                                              field(result, PG_DIAG_MESSAGE_PRIMARY).empty())) {
      PQclear(result);
      throw connection_error(m_conn, "lost the connection to the database");
    }
    SqlFailure f;
    f.sqlstate = field(result, PG_DIAG_SQLSTATE);
    f.message = field(result, PG_DIAG_MESSAGE_PRIMARY);
    f.detail = field(result, PG_DIAG_MESSAGE_DETAIL);
    f.hint = field(result, PG_DIAG_MESSAGE_HINT);
    f.context = field(result, PG_DIAG_CONTEXT);
    auto position = field(result, PG_DIAG_STATEMENT_POSITION);
    if (!position.empty()) f.position = std::stoul(position);
    outcome.failure = std::move(f);
    PQclear(result);
  } else {
    outcome.result = PgResult(result);
  }
  return outcome;
}

PgResult PgSession::or_throw(Outcome outcome, std::string_view sql) {
  if (outcome.failure) {
    const auto& f = *outcome.failure;
    std::string statement(sql.substr(0, 200));
    throw Error(ErrorKind::problem, fmt::format("{}\nin: {}", f.describe(), statement), f.hint);
  }
  return std::move(outcome.result);
}

PgResult PgSession::exec(std::string_view sql) {
  return or_throw(try_exec(sql), sql);
}

PgResult PgSession::exec_params(std::string_view sql, const Params& params) {
  return or_throw(try_exec_params(sql, params), sql);
}

PgResult PgSession::exec_binary(std::string_view sql) {
  const std::string text(sql);
  return or_throw(
      finish(PQexecParams(m_conn, text.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 1)), sql);
}

Outcome PgSession::try_exec(std::string_view sql) {
  const std::string text(sql);
  return finish(PQexec(m_conn, text.c_str()));
}

Outcome PgSession::try_exec_params(std::string_view sql, const Params& params) {
  const std::string text(sql);
  auto values = c_params(params);
  return finish(PQexecParams(m_conn, text.c_str(), static_cast<int>(values.size()), nullptr,
                             values.data(), nullptr, nullptr, 0));
}

std::string PgSession::quote_name(std::string_view name) {
  char* quoted = PQescapeIdentifier(m_conn, name.data(), name.size());
  if (!quoted) throw Error(ErrorKind::input, fmt::format("cannot quote identifier \"{}\"", name));
  std::string out(quoted);
  PQfreemem(quoted);
  return out;
}

std::string PgSession::quote_literal(std::string_view value) {
  char* quoted = PQescapeLiteral(m_conn, value.data(), value.size());
  if (!quoted) throw Error(ErrorKind::input, "cannot quote a literal");
  std::string out(quoted);
  PQfreemem(quoted);
  return out;
}

std::string PgSession::database_name() const {
  return PQdb(m_conn);
}
bool PgSession::in_transaction() const {
  const PGTransactionStatusType status = PQtransactionStatus(m_conn);
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR;
}
int PgSession::backend_pid() const {
  return PQbackendPID(m_conn);
}
int PgSession::socket() const {
  return PQsocket(m_conn);
}
int PgSession::server_version() const {
  return PQserverVersion(m_conn);
}

std::string redact_password(std::string_view conninfo) {
  return config::redact_password(conninfo);
}

} // namespace preflight::pg
