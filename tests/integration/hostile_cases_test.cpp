// The hostile-input catalogue: every case under tests/cases/hostile/ (one .case file each, see
// its README.md) runs the real binary against its own database and must exit as expected, say
// what is expected, and leave the database exactly as it was.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <optional>

#include <fmt/format.h>

#include "support/case_files.h"
#include "support/cli_case.h"
#include "support/test_cluster.h"

using namespace preflight::testing;
namespace fs = std::filesystem;

namespace {

const fs::path k_root = fs::path(PREFLIGHT_CASES_DIR) / "hostile";

std::vector<std::string> hostile_cases() {
  std::vector<std::string> names;
  for (const auto& entry : fs::recursive_directory_iterator(k_root)) {
    if (entry.is_regular_file() && entry.path().extension() == ".case")
      names.push_back(fs::relative(entry.path(), k_root).replace_extension().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

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

class HostileCase : public ::testing::TestWithParam<std::string> {};

TEST_P(HostileCase, IsRefusedAndChangesNothing) {
  const fs::path file = k_root / (GetParam() + ".case");
  SCOPED_TRACE(file.string());
  const auto steps = parse_case_file(file);
  TestDatabase db;
  CaseContext context{make_temp_dir(), db.conninfo()};
  std::vector<std::string> env;
  std::optional<CommandResult> result;
  std::string before;
  bool expects_exit = false;

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
      ASSERT_FALSE(result) << "one `run` per case";
      before = snapshot(db);
      result = run_preflight_bounded(arguments(step, context), context.dir, env);
    } else {
      ASSERT_TRUE(result) << "expectations come after `run`";
      const auto& r = *result;
      if (step.directive == "exit") {
        expects_exit = true;
        EXPECT_EQ(r.exit_code, std::stoi(argument)) << "stdout:\n" << r.out << "stderr:\n" << r.err;
      } else if (step.directive == "stderr") {
        EXPECT_EQ(r.err, decode_bytes(body));
      } else if (step.directive == "stdout") {
        EXPECT_EQ(r.out, decode_bytes(body));
      } else if (step.directive == "stderr-contains") {
        EXPECT_NE(r.err.find(decode_bytes(argument)), std::string::npos) << r.err;
      } else if (step.directive == "stdout-contains") {
        EXPECT_NE(r.out.find(decode_bytes(argument)), std::string::npos) << r.out;
      } else if (step.directive == "stderr-lacks") {
        EXPECT_EQ(r.err.find(decode_bytes(argument)), std::string::npos) << r.err;
      } else if (step.directive == "stdout-lacks") {
        EXPECT_EQ(r.out.find(decode_bytes(argument)), std::string::npos) << r.out;
      } else if (step.directive == "file-contains" || step.directive == "file-lacks") {
        const auto space = argument.find(' ');
        const auto text = read_text(context.dir + "/" + argument.substr(0, space));
        const auto needle = decode_bytes(argument.substr(space + 1));
        if (step.directive == "file-contains")
          EXPECT_NE(text.find(needle), std::string::npos) << text;
        else
          EXPECT_EQ(text.find(needle), std::string::npos) << text;
      } else {
        FAIL() << "unknown directive `" << step.directive << "`";
      }
    }
  }
  ASSERT_TRUE(result) << "a case needs a `run` line";
  EXPECT_TRUE(expects_exit) << "a case needs an `exit` line";
  EXPECT_EQ(snapshot(db), before) << "the database changed";
}

INSTANTIATE_TEST_SUITE_P(Catalogue, HostileCase, ::testing::ValuesIn(hostile_cases()), CaseName());

} // namespace
