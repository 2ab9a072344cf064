// Command-line cases as data: every *.case file under tests/cases/cli/ and tests/cases/hostile/
// is one test, named after its path, run with the real binary in a folder of its own against a
// database of its own. The format: docs/development.md, "CLI cases". Every hostile case also
// promises that its commands leave the database exactly as it was before the first `run`.

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <optional>

#include <fmt/format.h>

#include "support/case_files.h"
#include "support/cli_case.h"
#include "support/test_cluster.h"

using namespace preflight::testing;
namespace fs = std::filesystem;

namespace {

const fs::path k_cases = PREFLIGHT_CASES_DIR;

// The .case files under tests/cases/<folder>, as paths relative to tests/cases without ".case".
std::vector<std::string> cases_in(const std::string& folder) {
  std::vector<std::string> names;
  for (const auto& entry : fs::recursive_directory_iterator(k_cases / folder)) {
    if (entry.is_regular_file() && entry.path().extension() == ".case")
      names.push_back(fs::relative(entry.path(), k_cases).replace_extension().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// "hostile/nul/x" is the test hostile/CliCase.RunsAsWritten/nul_x: the folder names the suite.
struct CaseTestName {
  template <class ParamInfo> std::string operator()(const ParamInfo& info) const {
    const std::string& path = info.param;
    std::string name = path.substr(path.find('/') + 1);
    for (auto& c : name) {
      if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    }
    return name;
  }
};

// What "unchanged" means: every relation, column, index, constraint, sequence value and row
// count outside the system schemas, and the whole history table wherever it lives.
std::string snapshot(const TestDatabase& db) {
  auto session = db.connect();
  std::string out;
  const auto objects = session->exec(
      "SELECT n.nspname || '.' || c.relname || ' ' || c.relkind::text || ' ' || "
      "coalesce((SELECT string_agg(a.attname || ':' || format_type(a.atttypid, a.atttypmod) || "
      "CASE WHEN a.attnotnull THEN '!' ELSE '' END, ',' ORDER BY a.attnum) FROM pg_attribute a "
      "WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '') "
      "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') "
      "AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%' ORDER BY 1");
  for (int i = 0; i < objects.rows(); ++i) out += objects.get(i, 0) + "\n";
  const auto others = session->exec(
      "SELECT 'constraint ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint "
      "WHERE connamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace) "
      "UNION ALL SELECT 'schema ' || nspname FROM pg_namespace "
      "UNION ALL SELECT 'function ' || p.oid::regprocedure::text FROM pg_proc p "
      "WHERE p.pronamespace NOT IN ('pg_catalog'::regnamespace, "
      "'information_schema'::regnamespace) "
      "UNION ALL SELECT 'type ' || t.oid::regtype::text FROM pg_type t "
      "WHERE t.typnamespace NOT IN ('pg_catalog'::regnamespace, "
      "'information_schema'::regnamespace) AND t.typtype IN ('e', 'd', 'c') "
      "UNION ALL SELECT 'extension ' || extname FROM pg_extension ORDER BY 1");
  for (int i = 0; i < others.rows(); ++i) out += others.get(i, 0) + "\n";
  const auto tables =
      session->exec("SELECT format('%I.%I', n.nspname, c.relname), c.relname = '_sqlx_migrations' "
                    "OR c.relname LIKE '%migrations%' FROM pg_class c JOIN pg_namespace n "
                    "ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') "
                    "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                    "AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1");
  for (int i = 0; i < tables.rows(); ++i) {
    const std::string table = tables.get(i, 0);
    out += table + " rows: " + session->exec("SELECT count(*) FROM " + table).get(0, 0) + "\n";
    if (tables.get_bool(i, 1)) {
      // The history in full (installed_on too: a rewritten row is a change).
      const auto rows =
          session->exec("SELECT string_agg(t::text, E'\\n' ORDER BY t::text) FROM " + table + " t");
      out += rows.get(0, 0) + "\n";
    }
  }
  return out;
}

// Split first, then expand: {db} is one argument however many spaces it holds.
std::vector<std::string> arguments(const CaseStep& step, const CaseContext& context) {
  auto words = split_arguments(step.argument);
  for (auto& word : words) word = context.expand(word);
  return words;
}

// A body without its final newline: the value of a one-row query.
std::string without_final_newline(std::string text) {
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

class CliCase : public ::testing::TestWithParam<std::string> {};

TEST_P(CliCase, RunsAsWritten) {
  const fs::path file = k_cases / (GetParam() + ".case");
  SCOPED_TRACE(file.string());
  const bool keeps_database = GetParam().starts_with("hostile/");
  const auto steps = parse_case_file(file);
  TestDatabase db;
  CaseContext context{make_temp_dir(), db.conninfo(), db.name()};
  std::vector<std::string> env;
  std::optional<CommandResult> result;
  bool exit_checked = false; // the last run's exit code has been checked
  std::string before;

  for (const auto& step : steps) {
    SCOPED_TRACE(fmt::format("{}:{}: {}", file.filename().string(), step.line, step.directive));
    const std::string argument = context.expand(step.argument);
    const std::string body = context.expand(step.body);
    if (create_entry(step, context)) continue;
    if (step.directive == "sql") {
      db.connect()->exec(body);
    } else if (step.directive == "env") {
      env.push_back(decode_bytes(argument));
    } else if (step.directive == "setup") {
      auto r = run_preflight_bounded(arguments(step, context), context.dir, env);
      ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    } else if (step.directive == "run") {
      ASSERT_TRUE(!result || exit_checked) << "every `run` needs its `exit` line";
      if (keeps_database && !result) before = snapshot(db);
      result = run_preflight_bounded(arguments(step, context), context.dir, env);
      exit_checked = false;
    } else if (step.directive == "query") {
      EXPECT_EQ(db.scalar(argument), decode_bytes(without_final_newline(body)));
    } else if (step.directive == "file-is") {
      EXPECT_EQ(read_text(context.dir + "/" + decode_bytes(argument)), decode_bytes(body));
    } else if (step.directive == "exists" || step.directive == "missing") {
      EXPECT_EQ(fs::exists(fs::symlink_status(context.dir + "/" + decode_bytes(argument))),
                step.directive == "exists")
          << argument;
    } else {
      ASSERT_TRUE(result) << "expectations come after `run`";
      const auto& r = *result;
      const bool on_stdout = step.directive.starts_with("stdout");
      const std::string& output = on_stdout ? r.out : r.err;
      if (step.directive == "exit") {
        exit_checked = true;
        EXPECT_EQ(r.exit_code, std::stoi(argument)) << "stdout:\n" << r.out << "stderr:\n" << r.err;
      } else if (step.directive == "stderr" || step.directive == "stdout") {
        EXPECT_EQ(output, decode_bytes(body));
      } else if (step.directive == "stderr-contains" || step.directive == "stdout-contains") {
        EXPECT_NE(output.find(expected_fragment(step, context)), std::string::npos) << output;
      } else if (step.directive == "stderr-lacks" || step.directive == "stdout-lacks") {
        EXPECT_EQ(output.find(expected_fragment(step, context)), std::string::npos) << output;
      } else if (step.directive == "file-contains" || step.directive == "file-lacks") {
        const auto space = argument.find(' ');
        const auto text = read_text(context.dir + "/" + argument.substr(0, space));
        const auto needle = decode_bytes(argument.substr(space + 1));
        EXPECT_EQ(text.find(needle) != std::string::npos, step.directive == "file-contains")
            << text;
      } else {
        FAIL() << "unknown directive `" << step.directive << "`";
      }
    }
  }
  ASSERT_TRUE(result) << "a case needs a `run` line";
  EXPECT_TRUE(exit_checked) << "every `run` needs its `exit` line";
  if (keeps_database) {
    EXPECT_EQ(snapshot(db), before) << "the database changed";
  }
}

INSTANTIATE_TEST_SUITE_P(cli, CliCase, ::testing::ValuesIn(cases_in("cli")), CaseTestName());
INSTANTIATE_TEST_SUITE_P(hostile, CliCase, ::testing::ValuesIn(cases_in("hostile")),
                         CaseTestName());

} // namespace
