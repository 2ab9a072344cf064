// Suite files: every case under tests/cases/suites/<name>.toml is parsed; <name>.expected holds
// the error text a user reads (bad suites) or the model as parsed (good suites).

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "core/bench/suite.h"
#include "support/case_files.h"

using namespace preflight;
using namespace preflight::bench;
using namespace preflight::testing;

namespace {

std::string error_text(const Error& error) {
  std::string out;
  auto one = [&](const Error& e) {
    out += e.headline() + "\n";
    if (!e.hint().empty()) out += "hint: " + e.hint() + "\n";
  };
  one(error);
  for (const auto& more : error.more()) one(more);
  return out;
}

std::string opt(const std::optional<double>& v) {
  return v ? fmt::format("{:g}", *v) : "-";
}

std::string phase_text(const char* name, const PhaseSpec& p) {
  std::string out = fmt::format("  {}:", name);
  if (p.sql) out += " sql=" + *p.sql;
  if (p.plan.index_backed) out += " index_backed=" + *p.plan.index_backed;
  if (p.plan.uses_index) out += " uses_index=" + *p.plan.uses_index;
  for (const auto& t : p.plan.no_seq_scan) out += " no_seq_scan=" + t;
  if (p.plan.max_shared_buffers)
    out += fmt::format(" max_shared_buffers={}", *p.plan.max_shared_buffers);
  out += fmt::format(" p50={} p95={} p99={}\n", opt(p.p50_ms), opt(p.p95_ms), opt(p.p99_ms));
  return out;
}

std::string model_text(const Suite& s) {
  std::string out =
      fmt::format("name={} migrations={} before={} after={} scale={:g} seed={}\n", s.name,
                  s.migrations, s.before_text.empty() ? std::to_string(s.before) : s.before_text,
                  s.after_text.empty() ? std::to_string(s.after) : s.after_text, s.scale, s.seed);
  out += fmt::format("dataset: file={} sql={}\n", s.dataset_file.value_or("-"),
                     s.dataset_sql.empty() ? "-" : substitute_scale(s.dataset_sql, 0.5));
  out += fmt::format("defaults: warmup={} iterations={} time_budget={:g}\n", s.defaults.warmup,
                     s.defaults.iterations, s.defaults.time_budget_s);
  for (const auto& q : s.queries) {
    out += fmt::format(
        "query \"{}\" at line {}: writes={} claim=\"{}\" min_effect={} improvement={} warmup={} "
        "iterations={} time_budget={:g}\n",
        q.name, q.location.line, q.writes, q.claim, opt(q.min_effect), opt(q.improvement),
        s.warmup_for(q), s.iterations_for(q), s.time_budget_for(q));
    out += "  sql: " + q.sql + "\n";
    for (const auto& p : q.params) out += "  param: " + describe(p) + "\n";
    out += phase_text("before", q.before) + phase_text("after", q.after);
    if (q.weight != 1 || !q.load.empty()) {
      out += fmt::format("  load: weight={:g} max_stall_ms={} max_errors={} max_p99_ms={}\n",
                         q.weight, opt(q.load.max_stall_ms),
                         q.load.max_errors ? std::to_string(*q.load.max_errors) : "-",
                         opt(q.load.max_p99_ms));
    }
  }
  return out;
}

class SuiteCase : public ::testing::TestWithParam<std::string> {};

TEST_P(SuiteCase, ParsesToExpected) {
  const std::string name = GetParam();
  const auto text = read_text(case_path("suites", name + ".toml"));
  const auto expected = read_text(case_path("suites", name + ".expected"));
  std::string actual;
  try {
    actual = model_text(parse_suite(text, name + ".toml"));
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::input);
    actual = error_text(e);
  }
  EXPECT_EQ(actual, expected);
}

std::vector<std::string> suite_cases() {
  std::vector<std::string> names;
  for (const auto& file : case_names("suites", ".toml"))
    names.push_back(file.substr(0, file.size() - 5));
  return names;
}

INSTANTIATE_TEST_SUITE_P(Suites, SuiteCase, ::testing::ValuesIn(suite_cases()), CaseName());

TEST(Suite, BundledSuiteParses) {
  const std::string path =
      std::string(PREFLIGHT_CASES_DIR) + "/../../benchmarks/focus_sessions.toml";
  auto suite = parse_suite(read_text(path), path);
  EXPECT_EQ(suite.before, 2);
  EXPECT_EQ(suite.after, 3);
  ASSERT_EQ(suite.queries.size(), 5U);
  EXPECT_EQ(suite.queries[1].name, "Delete Library");
  EXPECT_NE(suite.queries[1].sql_for("before"), suite.queries[1].sql_for("after"));
}

TEST(Suite, MaxParameterIgnoresStringsIdentifiersAndComments) {
  EXPECT_EQ(max_parameter("SELECT $1, $12 FROM t"), 12);
  EXPECT_EQ(max_parameter("SELECT '$5', \"$6\" -- $7\n, $2"), 2);
  EXPECT_EQ(max_parameter("SELECT 1"), 0);
}

TEST(Suite, ScaleIsSubstitutedEverywhere) {
  EXPECT_EQ(substitute_scale("SELECT {scale} * 10, '{scale}'", 0.25), "SELECT 0.25 * 10, '0.25'");
  EXPECT_EQ(substitute_scale("no token", 2), "no token");
}

} // namespace
