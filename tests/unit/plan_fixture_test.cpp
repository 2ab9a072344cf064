// EXPLAIN (ANALYZE, BUFFERS, SETTINGS, FORMAT JSON) output captured from PostgreSQL 15 on the
// bundled schema (tests/cases/explain/<name>.json), parsed into the plan tree and checked with
// the plan assertions. <name>.expected holds the tree, what it reads and how, and assertion
// lines "<assertion> [argument]: pass|fail" (the assertions are the input; the results are
// checked).

#include <gtest/gtest.h>

#include <sstream>

#include "core/plan/plan.h"
#include "support/case_files.h"

using namespace preflight;
using namespace preflight::testing;

namespace {

std::string join(const std::vector<std::string>& items) {
  if (items.empty()) return "none";
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

plan::PlanExpectation single(const std::string& assertion, const std::string& argument) {
  plan::PlanExpectation e;
  if (assertion == "index_backed") e.index_backed = argument;
  if (assertion == "uses_index") e.uses_index = argument;
  if (assertion == "no_seq_scan") e.no_seq_scan = {argument};
  if (assertion == "max_shared_buffers") e.max_shared_buffers = std::stoll(argument);
  return e;
}

// Renders what the model sees in `plan`, re-running every assertion line of `expected`.
std::string render(const plan::Plan& plan, const std::string& expected) {
  std::string out = "plan:\n";
  plan.walk([&](const plan::PlanNode& node, int depth) {
    out += std::string(static_cast<std::size_t>(depth) * 2, ' ') + node.label() + "\n";
  });
  out += "analyzed: " + std::string(plan.analyzed ? "yes" : "no") + "\n";
  out += "index_backed: " + join(plan.index_backed_relations()) + "\n";
  out += "indexes: " + join(plan.indexes_used()) + "\n";
  out += "seq_scans: " + join(plan.seq_scanned_relations()) + "\n";
  std::istringstream lines(expected);
  std::string line;
  while (std::getline(lines, line)) {
    auto colon = line.rfind(": ");
    if (colon == std::string::npos) continue;
    std::string head = line.substr(0, colon);
    auto space = head.find(' ');
    if (space == std::string::npos) continue;
    auto assertion = head.substr(0, space);
    if (assertion != "index_backed" && assertion != "uses_index" && assertion != "no_seq_scan" &&
        assertion != "max_shared_buffers") {
      continue;
    }
    auto results = plan::check_plan(plan, single(assertion, head.substr(space + 1)));
    out += head + ": " + (results.at(0).passed ? "pass" : "fail") + "\n";
  }
  return out;
}

class PlanFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(PlanFixture, TreeAndAssertionsMatchExpected) {
  const auto json = read_text(case_path("explain", GetParam() + ".json"));
  const auto expected = read_text(case_path("explain", GetParam() + ".expected"));
  ASSERT_FALSE(expected.empty()) << "missing " << GetParam() << ".expected";
  auto plan = plan::parse_explain(std::string_view(json));
  EXPECT_EQ(render(plan, expected), expected);
}

std::vector<std::string> fixtures() {
  std::vector<std::string> names;
  for (const auto& file : case_names("explain", ".json"))
    names.push_back(file.substr(0, file.size() - 5));
  return names;
}

INSTANTIATE_TEST_SUITE_P(Explain, PlanFixture, ::testing::ValuesIn(fixtures()), CaseName());

} // namespace
