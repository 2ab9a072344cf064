#include "core/migrate/transaction_control.h"

#include <array>
#include <cctype>

#include <fmt/format.h>

#include "core/sql/text_position.h"

namespace preflight::migrate {

namespace {

std::string first_keyword(std::string_view text) {
  std::string word;
  for (char c : text) {
    if (!std::isalpha(static_cast<unsigned char>(c))) break;
    word += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return word;
}

// What users wrote, for messages: END and ABORT are spelled as such, not as COMMIT/ROLLBACK.
std::string words_of(const sql::Statement& statement, TransactionControl kind) {
  switch (kind) {
  case TransactionControl::begin:
    return first_keyword(statement.text) == "START" ? "START TRANSACTION" : "BEGIN";
  case TransactionControl::commit:
  case TransactionControl::rollback: return first_keyword(statement.text);
  case TransactionControl::savepoint: return "SAVEPOINT";
  case TransactionControl::release_savepoint: return "RELEASE SAVEPOINT";
  case TransactionControl::rollback_to_savepoint: return "ROLLBACK TO SAVEPOINT";
  case TransactionControl::prepare_transaction: return "PREPARE TRANSACTION";
  case TransactionControl::commit_prepared: return "COMMIT PREPARED";
  case TransactionControl::rollback_prepared: return "ROLLBACK PREPARED";
  case TransactionControl::none: break;
  }
  return {};
}

bool chains(const sql::Statement& statement) {
  return statement.tree["TransactionStmt"].value("chain", false);
}

TransactionProblem nested(const sql::Statement& statement, std::string message, std::string hint) {
  return {"nested-transaction", statement.offset, std::move(message), std::move(hint)};
}

} // namespace

TransactionControl transaction_control(const sql::Statement& statement) {
  if (!statement.tree.is_object() || !statement.tree.contains("TransactionStmt"))
    return TransactionControl::none;
  const std::string kind = statement.tree["TransactionStmt"].value("kind", "");
  if (kind == "TRANS_STMT_BEGIN" || kind == "TRANS_STMT_START") return TransactionControl::begin;
  if (kind == "TRANS_STMT_COMMIT") return TransactionControl::commit;
  if (kind == "TRANS_STMT_ROLLBACK") return TransactionControl::rollback;
  if (kind == "TRANS_STMT_SAVEPOINT") return TransactionControl::savepoint;
  if (kind == "TRANS_STMT_RELEASE") return TransactionControl::release_savepoint;
  if (kind == "TRANS_STMT_ROLLBACK_TO") return TransactionControl::rollback_to_savepoint;
  if (kind == "TRANS_STMT_PREPARE") return TransactionControl::prepare_transaction;
  if (kind == "TRANS_STMT_COMMIT_PREPARED") return TransactionControl::commit_prepared;
  if (kind == "TRANS_STMT_ROLLBACK_PREPARED") return TransactionControl::rollback_prepared;
  return TransactionControl::none;
}

bool may_control_transaction(std::string_view statement_text) {
  static const std::array<std::string_view, 9> k_first{
      "BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "SAVEPOINT", "RELEASE", "PREPARE"};
  const std::string word = first_keyword(statement_text);
  for (auto first : k_first) {
    if (word == first) return true;
  }
  return false;
}

std::optional<TransactionProblem> TransactionTracker::next(const sql::Statement& statement) {
  const TransactionControl kind = transaction_control(statement);
  if (kind == TransactionControl::none) return std::nullopt;
  const std::string words = words_of(statement, kind);
  if (!m_no_transaction) {
    return nested(statement,
                  fmt::format("{} inside a migration that preflight already runs in a "
                              "transaction: the migration and its history row are no longer "
                              "committed together, and a dry run would commit",
                              words),
                  fmt::format("remove the {}; a file that must manage its own transactions starts "
                              "with -- no-transaction",
                              words));
  }
  // A -- no-transaction migration runs each statement on its own: BEGIN … COMMIT blocks are
  // allowed, but must be well formed, or the block swallows what preflight does after it.
  const std::optional<std::size_t> begin = m_open_begin;
  auto begin_line = [&] { return sql::line_column_at(m_sql, *begin).line; };
  switch (kind) {
  case TransactionControl::begin:
    if (begin) {
      return nested(statement,
                    fmt::format("{} inside the block opened by the BEGIN at line {}: PostgreSQL "
                                "ignores it, so the block ends at the first COMMIT",
                                words, begin_line()),
                    "close the first block with COMMIT before opening another");
    }
    m_open_begin = statement.offset;
    return std::nullopt;
  case TransactionControl::commit:
  case TransactionControl::rollback:
    if (!chains(statement)) m_open_begin.reset();
    return std::nullopt;
  case TransactionControl::prepare_transaction:
    if (begin) {
      m_open_begin.reset(); // the prepared transaction leaves the session
      return std::nullopt;
    }
    break;
  case TransactionControl::savepoint:
  case TransactionControl::release_savepoint:
  case TransactionControl::rollback_to_savepoint:
    if (begin) return std::nullopt;
    break;
  case TransactionControl::commit_prepared:
  case TransactionControl::rollback_prepared:
    if (!begin) return std::nullopt;
    return nested(statement,
                  fmt::format("{} inside the block opened by the BEGIN at line {}: PostgreSQL "
                              "refuses it inside a transaction block",
                              words, begin_line()),
                  "move it after the block's COMMIT");
  case TransactionControl::none: break;
  }
  return nested(statement,
                fmt::format("{} outside a BEGIN … COMMIT block: PostgreSQL refuses it there, as "
                            "each statement of a -- no-transaction migration runs on its own",
                            words),
                fmt::format("put it between BEGIN and COMMIT, or remove the {}", words));
}

std::optional<TransactionProblem> TransactionTracker::finish() const {
  if (!m_no_transaction || !m_open_begin) return std::nullopt;
  return TransactionProblem{
      "unterminated-transaction", *m_open_begin,
      "BEGIN without a matching COMMIT in a -- no-transaction migration: the transaction stays "
      "open and keeps its locks until the session ends, and swallows the migration's history row",
      "end the block with COMMIT"};
}

std::vector<TransactionProblem> transaction_problems(std::string_view sql,
                                                     const std::vector<sql::Statement>& statements,
                                                     bool no_transaction) {
  std::vector<TransactionProblem> problems;
  TransactionTracker tracker(sql, no_transaction);
  for (const auto& statement : statements) {
    if (!may_control_transaction(statement.text)) continue;
    auto parsed = sql::parse_statements(statement.text);
    if (parsed.size() != 1) continue;
    parsed.front().offset = statement.offset; // positions in the script, not in the statement
    if (auto problem = tracker.next(parsed.front())) problems.push_back(std::move(*problem));
  }
  if (auto problem = tracker.finish()) problems.push_back(std::move(*problem));
  return problems;
}

} // namespace preflight::migrate
