#include "fuzz/fuzz_targets.h"

#include <functional>
#include <map>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/bench/results.h"
#include "core/bench/suite.h"
#include "core/check/check_file.h"
#include "core/check/results.h"
#include "core/config/config.h"
#include "core/error.h"
#include "core/lint/lint_config.h"
#include "core/lint/linter.h"
#include "core/migrate/migration_set.h"
#include "core/migrate/transaction_control.h"
#include "core/plan/plan.h"
#include "core/sql/parsed_sql.h"

namespace preflight::fuzz {

namespace {

// A migration input is "NAME\nBYTES": the first line is the file name (so that versions,
// suffixes and pairs are fuzzed too), the rest the file's bytes.
migrate::SourceFile migration_file(std::string_view data) {
  const auto newline = data.find('\n');
  std::string name(newline == std::string_view::npos ? data : data.substr(0, newline));
  std::string bytes(newline == std::string_view::npos ? std::string_view{}
                                                      : data.substr(newline + 1));
  return {"migrations/" + name, name, bytes};
}

// A valid neighbour, so that duplicates, pairs and ordering are exercised against something.
std::vector<migrate::SourceFile> with_neighbour(migrate::SourceFile file) {
  return {{"migrations/0001_base.sql", "0001_base.sql", "CREATE TABLE base (id int);\n"},
          std::move(file)};
}

void migration_names(std::string_view data) {
  migrate::discover_migrations(with_neighbour(migration_file(data)));
}

void statement_split(std::string_view data) {
  const auto split = sql::split_statements(data);
  for (bool no_transaction : {false, true})
    migrate::transaction_problems(data, split, no_transaction);
  const auto parsed = sql::parse_statements(data);
  for (const auto& statement : parsed) {
    sql::node_type(statement);
    migrate::transaction_control(statement);
  }
  if (split.size() != parsed.size()) {
    throw std::logic_error("split_statements and parse_statements disagree on the count");
  }
}

void suite_toml(std::string_view data) {
  bench::parse_suite(data, "suite.toml");
}

void checks_toml(std::string_view data) {
  check::parse_checks(data, "checks.toml");
}

void config_toml(std::string_view data) {
  config::parse_config(data, "preflight.toml");
}

void results_json(std::string_view data) {
  auto document = nlohmann::json::parse(data, nullptr, false);
  if (document.is_discarded()) return; // not JSON: the reader says so before these run
  try {
    bench::results_from_json(document);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::internal) throw;
  }
  check::from_json(document);
}

void explain_json(std::string_view data) {
  plan::PlanExpectation expectation;
  expectation.index_backed = "focus_sessions";
  expectation.no_seq_scan = {"focus_sessions"};
  plan::check_plan(plan::parse_explain(data), expectation);
}

void lint_sql(std::string_view data) {
  migrate::DiscoveryOptions options;
  options.check_transaction_control = false; // lint reports it as findings instead
  auto file = migration_file(data);
  const auto set = migrate::discover_migrations(with_neighbour(std::move(file)), options);
  lint::lint_migrations(lint::lint_migrations_of(set), {});
}

const std::map<std::string, std::function<void(std::string_view)>, std::less<>>& targets() {
  static const std::map<std::string, std::function<void(std::string_view)>, std::less<>> all = {
      {"checks_toml", checks_toml},         {"config_toml", config_toml},
      {"explain_json", explain_json},       {"lint", lint_sql},
      {"migration_names", migration_names}, {"results_json", results_json},
      {"statement_split", statement_split}, {"suite_toml", suite_toml}};
  return all;
}

} // namespace

const std::vector<std::string>& target_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& [name, _] : targets()) out.push_back(name);
    return out;
  }();
  return names;
}

void run_target(std::string_view target, std::string_view data) {
  const auto it = targets().find(target);
  if (it == targets().end()) throw std::logic_error("unknown fuzz target " + std::string(target));
  try {
    it->second(data);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::internal) {
      throw std::logic_error("internal error (exit 70): " + e.message());
    }
    if (e.message().empty()) throw std::logic_error("an error without a message");
  } catch (const std::logic_error&) {
    throw;
  } catch (const std::exception& e) {
    throw std::logic_error(std::string("an exception that is not preflight::Error: ") + e.what());
  }
}

} // namespace preflight::fuzz
