#include "core/migrate/layouts/assemble.h"

#include <algorithm>
#include <cctype>
#include <exception>
#include <map>
#include <thread>

#include <fmt/format.h>

#include "core/migrate/transaction_control.h"
#include "core/sql/parsed_sql.h"
#include "core/sql/sql_bytes.h"
#include "core/sql/text_position.h"

namespace preflight::migrate::layouts {

namespace {

// The first words of a statement, upper-cased, without parentheses' contents: enough to tell
// the statements PostgreSQL 15 refuses in a transaction block (PreventInTransactionBlock).
std::vector<std::string> leading_words(std::string_view text, std::size_t limit) {
  std::vector<std::string> words;
  std::string word;
  int depth = 0;
  for (char c : text) {
    if (words.size() >= limit) break;
    if (c == '(') ++depth;
    if (c == ')' && depth > 0) {
      --depth;
      continue;
    }
    if (depth > 0) continue;
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
      word += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty() && words.size() < limit) words.push_back(std::move(word));
  return words;
}

bool has(const std::vector<std::string>& words, std::string_view w) {
  return std::find(words.begin(), words.end(), w) != words.end();
}

std::string refused_statement(std::string_view text) {
  const auto w = leading_words(text, 12);
  auto starts = [&](std::initializer_list<std::string_view> prefix) {
    std::size_t i = 0;
    for (auto p : prefix) {
      if (i >= w.size() || w[i] != p) return false;
      ++i;
    }
    return true;
  };
  if (w.empty()) return {};
  if ((starts({"CREATE", "INDEX", "CONCURRENTLY"}) ||
       starts({"CREATE", "UNIQUE", "INDEX", "CONCURRENTLY"})))
    return "CREATE INDEX CONCURRENTLY";
  if (starts({"DROP", "INDEX", "CONCURRENTLY"})) return "DROP INDEX CONCURRENTLY";
  if (starts({"REINDEX"})) {
    if (has(w, "CONCURRENTLY")) return "REINDEX CONCURRENTLY";
    if (w.size() > 1 && (w[1] == "SCHEMA" || w[1] == "DATABASE" || w[1] == "SYSTEM"))
      return "REINDEX " + w[1];
  }
  if (starts({"ALTER", "TABLE"}) && has(w, "DETACH") && has(w, "CONCURRENTLY"))
    return "DETACH PARTITION CONCURRENTLY";
  if (starts({"VACUUM"})) return "VACUUM";
  if (starts({"CREATE", "DATABASE"})) return "CREATE DATABASE";
  if (starts({"DROP", "DATABASE"})) return "DROP DATABASE";
  if (starts({"CREATE", "TABLESPACE"})) return "CREATE TABLESPACE";
  if (starts({"DROP", "TABLESPACE"})) return "DROP TABLESPACE";
  if (starts({"ALTER", "SYSTEM"})) return "ALTER SYSTEM";
  if (starts({"DISCARD", "ALL"})) return "DISCARD ALL";
  if (starts({"CREATE", "SUBSCRIPTION"})) return "CREATE SUBSCRIPTION";
  if (starts({"ALTER", "DATABASE"}) && has(w, "SET") && has(w, "TABLESPACE"))
    return "ALTER DATABASE SET TABLESPACE";
  if (w.size() == 1 && w[0] == "CLUSTER") return "CLUSTER without a table name";
  return {};
}

std::string control_name(TransactionControl control) {
  switch (control) {
  case TransactionControl::begin: return "BEGIN";
  case TransactionControl::commit: return "COMMIT";
  case TransactionControl::rollback: return "ROLLBACK";
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

struct Checked {
  std::vector<Error> problems;
  std::optional<ScriptDecision> decision;
};

// Pure and thread-safe (libpg_query is).
Checked check(const ScriptSource& script, const LayoutRules& rules,
              const DiscoveryOptions& options) {
  Checked out;
  if (script.problem) {
    out.problems.push_back(*script.problem);
    return out;
  }
  // The same byte check as sqlx's layout: the first bad byte or NUL at its line and column.
  if (auto bad = sql::check_sql_bytes(script.sql, script.path)) {
    out.problems.push_back(std::move(*bad));
    return out;
  }
  if (!options.check_sql) return out;
  std::vector<sql::Statement> statements;
  try {
    statements = sql::split_statements(script.sql);
  } catch (const Error& e) {
    Location where = e.location().value_or(Location{});
    where.file = script.path;
    out.problems.push_back(e.at(where));
    return out;
  }
  if (statements.empty() && script.require_statement) {
    out.problems.push_back(file_error(script.path, "migration is empty (no SQL statement)"));
    return out;
  }
  ScriptShape shape;
  shape.statements = statements.size();
  for (const auto& statement : statements) {
    if (!shape.control_offset && may_control_transaction(statement.text)) {
      auto parsed = sql::parse_statements(statement.text);
      if (!parsed.empty()) {
        auto control = transaction_control(parsed.front());
        if (control != TransactionControl::none) {
          shape.control_offset = statement.offset;
          shape.control_what = control_name(control);
        }
      }
    }
    {
      auto what = refused_statement(statement.text);
      if (!what.empty()) ++shape.refused_count;
      if (!what.empty() && !shape.refused_offset) {
        shape.refused_offset = statement.offset;
        shape.refused_what = std::move(what);
      }
    }
  }
  auto decision = rules.rule(script, shape);
  if (decision.problem) {
    out.problems.push_back(*decision.problem);
    return out;
  }
  // A script that runs its own BEGIN … COMMIT blocks must close them, or what follows in the
  // session (the history row) would land in its open block.
  if (decision.no_transaction && shape.control_offset) {
    for (auto& p : transaction_problems(script.sql, statements, true)) {
      if (p.rule != "unterminated-transaction") continue;
      out.problems.push_back(error_at(
          script.path, script.sql, p.offset,
          fmt::format("BEGIN without a matching COMMIT: {} leaves the transaction open, which "
                      "keeps its locks and would swallow the history row",
                      rules.tool),
          "end the block with COMMIT"));
    }
    if (!out.problems.empty()) return out;
  }
  out.decision = std::move(decision);
  return out;
}

struct Job {
  const ScriptSource* script;
  Checked result;
  std::exception_ptr internal;
};

void check_all(std::vector<Job>& jobs, const LayoutRules& rules, const DiscoveryOptions& options) {
  const std::size_t workers = std::min<std::size_t>(
      std::max(1U, std::thread::hardware_concurrency()), jobs.size() / 256 + 1);
  auto work = [&](std::size_t first) {
    for (std::size_t i = first; i < jobs.size(); i += workers) {
      // An exception must not leave a worker thread (that would terminate the process).
      try {
        jobs[i].result = check(*jobs[i].script, rules, options);
      } catch (...) {
        jobs[i].internal = std::current_exception();
      }
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t w = 1; w < workers; ++w) threads.emplace_back(work, w);
  work(0);
  for (auto& t : threads) t.join();
  for (const auto& job : jobs) {
    if (job.internal) std::rethrow_exception(job.internal);
  }
}

Script to_script(ScriptSource&& source, Checked&& checked) {
  Script script;
  script.path = std::move(source.path);
  script.sql = std::move(source.sql);
  script.no_transaction = source.declared_no_transaction;
  script.native_name = std::move(source.native_name);
  script.native_checksum = source.native_checksum;
  script.equivalent_checksum = source.equivalent_checksum;
  if (!checked.problems.empty()) {
    // Only a down script gets here with problems: kept for the command that would run it.
    script.problem =
        checked.problems.size() == 1 ? checked.problems.front() : Error::combine(checked.problems);
    return script;
  }
  if (checked.decision) {
    script.no_transaction = source.declared_no_transaction || checked.decision->no_transaction;
    script.dry_run_refusal = std::move(checked.decision->dry_run_refusal);
  }
  return script;
}

} // namespace

Error error_at(const std::string& path, std::string_view sql, std::size_t offset,
               std::string message, std::string hint) {
  auto at = sql::line_column_at(sql, offset);
  return Error(ErrorKind::input, std::move(message), std::move(hint),
               Location{path, at.line, at.column});
}

Error file_error(const std::string& path, std::string message, std::string hint) {
  return Error(ErrorKind::input, std::move(message), std::move(hint), Location{path, 0, 0});
}

Error dry_run_refusal(const ScriptSource& script, const ScriptShape& shape) {
  const bool commits = shape.control_offset.has_value();
  const std::size_t offset = commits ? *shape.control_offset : shape.refused_offset.value_or(0);
  std::string message =
      commits ? fmt::format("a dry run cannot roll this migration back: its {} controls the "
                            "transaction itself",
                            shape.control_what)
              : fmt::format("a dry run cannot roll this migration back: {} cannot run inside the "
                            "dry run's transaction block",
                            shape.refused_what);
  return error_at(script.path, script.sql, offset, std::move(message),
                  "nothing was run; dry-running this migration needs a throwaway copy of the "
                  "database (--dry-run=copy), or dry-run up to the version before it with --to");
}

ScriptDecision one_query_rule(const ScriptSource& script, const ScriptShape& shape,
                              std::string_view tool, std::string_view fix) {
  ScriptDecision d;
  if (shape.refused_offset && shape.statements > 1) {
    d.problem =
        error_at(script.path, script.sql, *shape.refused_offset,
                 fmt::format("{} sends this script to PostgreSQL as one query, which runs as one "
                             "transaction block: {} cannot run in it, so {} fails here",
                             tool, shape.refused_what, tool),
                 std::string(fix));
    return d;
  }
  if (shape.control_offset || shape.refused_offset) {
    d.no_transaction = true;
    d.dry_run_refusal = dry_run_refusal(script, shape);
  }
  return d;
}

ScriptDecision in_transaction_rule(const ScriptSource& script, const ScriptShape& shape,
                                   const TransactionWording& wording) {
  ScriptDecision d;
  const std::string hint(wording.hint);
  if (shape.control_offset) {
    d.problem = error_at(
        script.path, script.sql, *shape.control_offset,
        wording.history_row_in_it
            ? fmt::format("{} runs this {} in a transaction together with its history row; this "
                          "{} would end it",
                          wording.tool, wording.unit, shape.control_what)
            : fmt::format("{} runs this {} in a transaction; this {} would end it before {} "
                          "records the version",
                          wording.tool, wording.unit, shape.control_what, wording.tool),
        hint);
  } else if (shape.refused_offset) {
    d.problem = error_at(script.path, script.sql, *shape.refused_offset,
                         fmt::format("{} runs this {} in a transaction: {} cannot run in it, so "
                                     "{} fails here",
                                     wording.tool, wording.unit, shape.refused_what, wording.tool),
                         hint);
  }
  return d;
}

void blank_out(std::string& text, std::size_t begin, std::size_t end) {
  end = std::min(end, text.size());
  for (std::size_t i = begin; i < end; ++i) {
    if (text[i] != '\n' && text[i] != '\r') text[i] = ' ';
  }
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

MigrationSet assemble(std::vector<Candidate>&& candidates, std::vector<Error>&& errors,
                      const LayoutRules& rules, const DiscoveryOptions& options) {
  // The tool's order first: duplicates and order checks read neighbours.
  std::stable_sort(
      candidates.begin(), candidates.end(),
      [](const Candidate& a, const Candidate& b) { return a.order_key < b.order_key; });
  std::map<std::int64_t, const Candidate*> by_version;
  std::map<std::string, const Candidate*> by_description; // repeatables
  std::vector<char> usable(candidates.size(), 1);
  const Candidate* previous = nullptr;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const Candidate& c = candidates[i];
    if (c.repeatable) {
      auto [it, inserted] = by_description.emplace(c.description, &c);
      if (!inserted) {
        errors.push_back(file_error(
            c.origin,
            fmt::format("Found more than one repeatable migration with description {}: also {}",
                        c.description, it->second->origin),
            fmt::format("{} needs every repeatable migration to have its own description",
                        rules.tool)));
        usable[i] = 0;
      }
      continue;
    }
    auto [it, inserted] = by_version.emplace(c.version, &c);
    if (!inserted) {
      errors.push_back(
          file_error(c.origin,
                     fmt::format("duplicate version {}: also used by {}",
                                 shown_version(c.version, c.version_text), it->second->origin),
                     fmt::format("{} needs every migration to have its own version", rules.tool)));
      usable[i] = 0;
      continue;
    }
    // preflight's history keys on integer versions: they must order as the tool orders.
    if (previous != nullptr && previous->version > c.version) {
      errors.push_back(file_error(
          c.origin,
          fmt::format("{} runs this migration after {}, but its version {} is the smaller number",
                      rules.tool, previous->origin, c.version),
          "preflight's history orders versions as numbers; give versions of one width"));
      usable[i] = 0;
      continue;
    }
    previous = &c;
  }

  std::vector<Job> jobs;
  jobs.reserve(candidates.size() * 2);
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (!usable[i]) continue;
    if (candidates[i].up) jobs.push_back({&*candidates[i].up, {}, {}});
    if (candidates[i].down) jobs.push_back({&*candidates[i].down, {}, {}});
  }
  check_all(jobs, rules, options);

  std::vector<Migration> migrations;
  std::vector<Migration> repeatables;
  migrations.reserve(candidates.size());
  std::size_t next = 0;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (!usable[i]) continue;
    Candidate& c = candidates[i];
    Migration m;
    m.version = c.version;
    m.version_text = std::move(c.version_text);
    m.description = std::move(c.description);
    m.reversible = c.down.has_value();
    m.repeatable = c.repeatable;
    bool ok = true;
    if (c.up) {
      Checked checked = std::move(jobs[next++].result);
      if (!checked.problems.empty()) {
        errors.insert(errors.end(), checked.problems.begin(), checked.problems.end());
        ok = false;
      } else {
        m.up = to_script(std::move(*c.up), std::move(checked));
      }
    } else {
      m.up.path = c.origin; // nothing runs: the tool records the version only
    }
    if (c.down) m.down = to_script(std::move(*c.down), std::move(jobs[next++].result));
    if (!ok) continue;
    m.checksum = sha384(c.checksum_of);
    (m.repeatable ? repeatables : migrations).push_back(std::move(m));
  }
  // Flyway runs repeatables in the order of their descriptions (ResolvedMigrationComparator;
  // Java compares UTF-16 units, the same order as bytes of UTF-8 outside the surrogate range).
  std::sort(repeatables.begin(), repeatables.end(),
            [](const Migration& a, const Migration& b) { return a.description < b.description; });

  if (!errors.empty()) {
    std::stable_sort(errors.begin(), errors.end(), [](const Error& a, const Error& b) {
      return a.location().value_or(Location{}).file < b.location().value_or(Location{}).file;
    });
    throw Error::combine(std::move(errors));
  }
  return MigrationSet(std::move(migrations), std::move(repeatables));
}

} // namespace preflight::migrate::layouts
