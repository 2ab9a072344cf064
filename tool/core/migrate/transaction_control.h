#pragma once
// Transaction-control statements (BEGIN, COMMIT, SAVEPOINT, PREPARE TRANSACTION, …) in a
// migration, and which of them break how preflight runs it: a transactional migration runs in
// preflight's own transaction (its history row commits with it, a dry run rolls it back), so it
// must not control transactions itself; a -- no-transaction migration may use BEGIN … COMMIT
// blocks, but must close them. Shared by migration discovery (which refuses such files) and
// the lint rules nested-transaction and unterminated-transaction (which report them).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/sql/parsed_sql.h"

namespace preflight::migrate {

enum class TransactionControl {
  none, // not a transaction-control statement
  begin,
  commit,   // COMMIT, END
  rollback, // ROLLBACK, ABORT
  savepoint,
  release_savepoint,
  rollback_to_savepoint,
  prepare_transaction,
  commit_prepared,
  rollback_prepared,
};

/// How a parsed statement (with its parse tree) controls transactions.
TransactionControl transaction_control(const sql::Statement& statement);

/// True if the statement's first keyword can start a transaction-control statement: a cheap
/// filter for callers that split without parse trees and parse only these.
bool may_control_transaction(std::string_view statement_text);

struct TransactionProblem {
  std::string rule;   // the lint rule it is: "nested-transaction" or "unterminated-transaction"
  std::size_t offset; // byte offset of the statement it is about
  std::string message;
  std::string hint;
};

/// Follows one script's statements in order and says which transaction-control statements
/// break preflight's handling of the migration's transaction.
class TransactionTracker {
public:
  /// `sql`: the script's text (kept by reference); `no_transaction`: it starts with the
  /// -- no-transaction directive.
  TransactionTracker(std::string_view sql, bool no_transaction)
      : m_sql(sql), m_no_transaction(no_transaction) {}

  /// Feeds the next statement (with its parse tree); returns the problem it is, if any.
  std::optional<TransactionProblem> next(const sql::Statement& statement);
  /// After the last statement: the BEGIN that is still open, if any.
  std::optional<TransactionProblem> finish() const;
  /// Byte offset of the BEGIN whose block is open in a -- no-transaction script, if any.
  std::optional<std::size_t> open_begin() const { return m_open_begin; }

private:
  std::string_view m_sql;
  bool m_no_transaction;
  std::optional<std::size_t> m_open_begin;
};

/// Every transaction-control problem of a script, given its text and its statements as split
/// (parse trees not needed: the few statements that may control transactions are parsed here).
std::vector<TransactionProblem> transaction_problems(std::string_view sql,
                                                     const std::vector<sql::Statement>& statements,
                                                     bool no_transaction);

} // namespace preflight::migrate
