// Plan cases are files under tests/cases/plan/: the migration files, the recorded history, one
// command, and what a user reads — the plan, the status, or every error with its hint.
//
//   files: 1 2r 3n       version per migration; r = has a down script, n = -- no-transaction
//   history: 1 2! 4 3~   recorded rows; ! = failed, ~ = recorded checksum differs from the file
//   command: up --to 3 --allow-out-of-order | down --steps 2 | down --to 1 | status | repair
//   expect:
//   <lines>

#include <gtest/gtest.h>

#include <sstream>

#include "core/error.h"
#include "core/migrate/history.h"
#include "core/migrate/repair.h"
#include "support/case_files.h"

using namespace preflight;
using namespace preflight::migrate;

namespace {

struct PlanCase {
  std::vector<Migration> files;
  std::vector<AppliedMigration> history;
  std::vector<std::string> command;
  std::string expected;
};

std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

PlanCase parse_case(const std::string& text) {
  PlanCase c;
  std::istringstream in(text);
  std::string line;
  bool expecting = false;
  while (std::getline(in, line)) {
    if (expecting) {
      c.expected += line + "\n";
      continue;
    }
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = line.substr(0, colon);
    const auto values = words(line.substr(colon + 1));
    if (key == "files") {
      for (const auto& v : values) {
        Migration m;
        m.version = std::stoll(v);
        m.description = "m" + std::to_string(m.version);
        m.reversible = v.find('r') != std::string::npos;
        const std::string stem = std::to_string(m.version) + "_m" + std::to_string(m.version);
        m.up = {stem + (m.reversible ? ".up.sql" : ".sql"), "SELECT " + v,
                v.find('n') != std::string::npos};
        if (m.reversible) m.down = Script{stem + ".down.sql", "SELECT 0", false};
        m.checksum = sha384(m.up.sql);
        c.files.push_back(m);
      }
    } else if (key == "history") {
      for (const auto& v : values) {
        AppliedMigration row;
        row.version = std::stoll(v);
        row.description = "m" + std::to_string(row.version);
        row.success = v.find('!') == std::string::npos;
        std::string file_sql = "SELECT " + std::to_string(row.version);
        for (const auto& f : c.files) {
          if (f.version == row.version) file_sql = f.up.sql;
        }
        row.checksum =
            sha384(v.find('~') != std::string::npos ? file_sql + " -- edited" : file_sql);
        c.history.push_back(row);
      }
    } else if (key == "command") {
      c.command = values;
    } else if (key == "expect") {
      expecting = true;
    }
  }
  return c;
}

std::string describe(const Error& error) {
  std::string out;
  auto one = [&](const Error& e) {
    out += "exit " + std::to_string(exit_code(e.kind())) + ": " + e.headline() + "\n";
    if (!e.hint().empty()) out += "  hint: " + e.hint() + "\n";
  };
  one(error);
  for (const auto& e : error.more()) one(e);
  return out;
}

std::string plan_line(const std::vector<const Migration*>& plan) {
  std::string out = "plan:";
  if (plan.empty()) out += " (nothing)";
  for (const auto* m : plan) out += " " + std::to_string(m->version);
  return out + "\n";
}

std::string run_case(const PlanCase& c) {
  MigrationSet files(c.files);
  const auto& cmd = c.command;
  auto option = [&](const std::string& name) -> std::optional<std::int64_t> {
    for (std::size_t i = 0; i + 1 < cmd.size(); ++i) {
      if (cmd[i] == name) return std::stoll(cmd[i + 1]);
    }
    return std::nullopt;
  };
  auto flag = [&](const std::string& name) {
    return std::find(cmd.begin(), cmd.end(), name) != cmd.end();
  };
  try {
    if (cmd.at(0) == "up") {
      return plan_line(plan_up(files, c.history, {option("--to"), flag("--allow-out-of-order")}));
    }
    if (cmd.at(0) == "down")
      return plan_line(plan_down(files, c.history, {option("--steps"), option("--to")}));
    if (cmd.at(0) == "status") {
      std::string out;
      for (const auto& e : compute_status(files, c.history)) {
        out += std::to_string(e.version) + " " + to_string(e.state) + "\n";
      }
      return out;
    }
    if (cmd.at(0) == "repair") {
      std::string out;
      for (const auto& a : plan_repair(compute_status(files, c.history))) {
        out += a.kind == RepairKind::record_checksum ? "record_checksum " : "remove_failed_row ";
        out += std::to_string(a.version) + "\n";
      }
      return out.empty() ? "(nothing)\n" : out;
    }
  } catch (const Error& e) {
    return describe(e);
  }
  return "unknown command\n";
}

class PlanCaseTest : public ::testing::TestWithParam<std::string> {};

TEST_P(PlanCaseTest, MatchesExpectedOutput) {
  auto c =
      parse_case(preflight::testing::read_text(preflight::testing::case_path("plan", GetParam())));
  ASSERT_FALSE(c.command.empty()) << "case has no command line";
  EXPECT_EQ(run_case(c), c.expected);
}

INSTANTIATE_TEST_SUITE_P(Cases, PlanCaseTest,
                         ::testing::ValuesIn(preflight::testing::case_names("plan", ".txt")),
                         preflight::testing::CaseName());

} // namespace
