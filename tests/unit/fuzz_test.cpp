// Fuzz tests of every parser that reads user input: seeded mutations of real, valid inputs (the
// bundled suite, checks file and migrations, a configuration, a results file, captured EXPLAIN
// output). A mutated input must be accepted or rejected with preflight::Error carrying a
// message — never a crash or another exception type (which main would report as a bug, exit 70).
// The seed is printed; PREFLIGHT_FUZZ_SEED replays a run, PREFLIGHT_FUZZ_ITERATIONS extends it.

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/bench/results.h"
#include "core/bench/suite.h"
#include "core/check/check_file.h"
#include "core/check/results.h"
#include "core/config/config.h"
#include "core/config/connection_text.h"
#include "core/error.h"
#include "core/lint/lint_config.h"
#include "core/lint/linter.h"
#include "core/migrate/migration_set.h"
#include "core/plan/plan.h"
#include "core/sql/parsed_sql.h"
#include "support/case_files.h"

using namespace preflight;
using preflight::testing::case_path;
using preflight::testing::read_text;

namespace {

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::strtoull(value, nullptr, 10) : fallback;
}

const std::uint64_t k_seed = env_number("PREFLIGHT_FUZZ_SEED", std::random_device{}());
const int k_iterations = static_cast<int>(env_number("PREFLIGHT_FUZZ_ITERATIONS", 400));

std::string bundled(const std::string& relative) {
  return read_text(case_path("..", "..") / relative);
}

// What breaks parsers: delimiters, escapes, huge and odd numbers, NUL and invalid UTF-8.
// clang-format off
const std::vector<std::string> k_tokens = {
    "\"", "'", "\"\"\"", "'\'\'", "[", "]]", "[[queries]]", "{", "}", "=", "\n", "\r\n", "\\",
    "\\u00e9", "\\uD800", "$1", "$0", "$99999999", ";", "--", "/*", "*/", "{scale}", "1e999", "-0",
    "nan", "inf", "-inf", "9223372036854775808", std::string(1, '\0'), "\xff", "\xc3", "é", "→",
    "SELECT", "(", ")", ",", "true", "[]", "{}", "0x1p3", "1970-01-01T00:00:00Z"};
// clang-format on

class Mutator {
public:
  explicit Mutator(std::uint64_t seed) : m_random(seed) {}

  std::string text(std::string s) {
    const int rounds = pick(1, 4);
    for (int i = 0; i < rounds; ++i) {
      const std::size_t at = s.empty() ? 0 : pick<std::size_t>(0, s.size() - 1);
      switch (pick(0, 4)) {
      case 0: // one byte changed
        if (!s.empty()) s[at] = static_cast<char>(pick(0, 255));
        break;
      case 1: // a span removed
        s.erase(at, pick<std::size_t>(1, 64));
        break;
      case 2: // a token inserted
        s.insert(at, k_tokens[pick<std::size_t>(0, k_tokens.size() - 1)]);
        break;
      case 3: // a span repeated elsewhere
        if (!s.empty())
          s.insert(pick<std::size_t>(0, s.size()), s.substr(at, pick<std::size_t>(1, 80)));
        break;
      default: // cut short
        s.resize(at);
      }
    }
    return s;
  }

  /// One of `count` positions.
  std::size_t index(std::size_t count) { return pick<std::size_t>(0, count - 1); }

  nlohmann::json json(nlohmann::json document) {
    const int rounds = pick(1, 3);
    for (int i = 0; i < rounds; ++i) mutate_one(document);
    return document;
  }

private:
  template <class T = int> T pick(T low, T high) {
    return std::uniform_int_distribution<T>(low, high)(m_random);
  }

  nlohmann::json any_value() {
    switch (pick(0, 8)) {
    case 0: return nullptr;
    case 1: return pick(0, 1) == 1;
    case 2: return pick(-3, 3);
    case 3: return -1e300;
    case 4: return 9223372036854775807LL;
    case 5: return "";
    case 6: return k_tokens[pick<std::size_t>(0, k_tokens.size() - 1)];
    case 7: return nlohmann::json::array();
    default: return nlohmann::json::object();
    }
  }

  // Replaces, removes or empties one node somewhere in the tree.
  void mutate_one(nlohmann::json& node) {
    nlohmann::json* at = &node;
    while ((at->is_object() || at->is_array()) && !at->empty() && pick(0, 3) != 0) {
      auto it = at->begin();
      std::advance(it, pick<std::ptrdiff_t>(0, static_cast<std::ptrdiff_t>(at->size()) - 1));
      if (pick(0, 5) == 0) {
        at->erase(it); // a key or element dropped
        return;
      }
      at = &*it;
    }
    *at = pick(0, 4) == 0 && at->is_array() ? nlohmann::json::array() : any_value();
  }

  std::mt19937_64 m_random;
};

// Runs `one_case` (which mutates its input and parses it) `k_iterations` times; returns how many
// mutations were rejected.
int fuzz(const std::string& what, const std::function<void(Mutator&)>& one_case) {
  Mutator mutator(k_seed ^ std::hash<std::string>{}(what));
  int rejected = 0;
  for (int i = 0; i < k_iterations; ++i) {
    try {
      one_case(mutator);
    } catch (const Error& e) {
      EXPECT_FALSE(e.message().empty()) << what << " case " << i;
      EXPECT_NE(e.kind(), ErrorKind::internal)
          << what << " case " << i << ": " << e.message() << "; seed " << k_seed;
      ++rejected;
    } catch (const std::exception& e) {
      ADD_FAILURE() << what << " case " << i << " threw " << e.what()
                    << " instead of preflight::Error; replay with PREFLIGHT_FUZZ_SEED=" << k_seed;
      return rejected;
    }
  }
  return rejected;
}

class Fuzz : public ::testing::Test {
protected:
  static void SetUpTestSuite() { std::printf("%s", fmt::format("fuzz seed {}\n", k_seed).c_str()); }
};

// Every target must reject some mutations: a fuzz test whose inputs all parse is not fuzzing.
TEST_F(Fuzz, SuiteFiles) {
  for (const auto* file : {"benchmarks/focus_sessions.toml", "tests/cases/suites/good_full.toml"}) {
    const auto text = bundled(file);
    ASSERT_NO_THROW(bench::parse_suite(text, "s.toml")) << file;
    EXPECT_GT(fuzz(file, [&](Mutator& m) { bench::parse_suite(m.text(text), "s.toml"); }), 0);
  }
}

TEST_F(Fuzz, ChecksFiles) {
  for (const auto* file :
       {"benchmarks/checks/focus_sessions.checks.toml", "tests/cases/checks/ok_every_kind.toml"}) {
    const auto text = bundled(file);
    ASSERT_NO_THROW(check::parse_checks(text, "c.toml")) << file;
    EXPECT_GT(fuzz(file, [&](Mutator& m) { check::parse_checks(m.text(text), "c.toml"); }), 0);
  }
}

TEST_F(Fuzz, Configuration) {
  const std::string text =
      "migrations = \"migrations\"\nhistory_table = \"ops.schema_history\"\n"
      "lock_timeout = \"5s\"\nstatement_timeout = \"15min\"\nlock_wait = 60\n"
      "[lint.rules]\ndrop-column = \"off\"\ncreate-index-not-concurrently = \"error\"\n";
  ASSERT_NO_THROW(config::parse_config(text, "preflight.toml"));
  EXPECT_GT(fuzz("config",
                 [&](Mutator& m) {
                   const auto mutated = m.text(text);
                   config::parse_config(mutated, "preflight.toml");
                 }),
            0);
}

// .env files and connection strings are read and shown (passwords masked) whatever they hold:
// neither may throw at all.
TEST_F(Fuzz, ConnectionText) {
  const std::string dotenv = "# local\nexport DATABASE_URL=\"postgresql://app:s3cret@db/app\"\n";
  const std::vector<std::string> conninfos = {"postgresql://app:s3cret@db:5432/app?sslmode=require",
                                              "host=db user=app password=s3cret dbname=app",
                                              "host=db password='s3cret' user=app"};
  ASSERT_EQ(config::database_url_from_dotenv(dotenv), "postgresql://app:s3cret@db/app");
  for (const auto& conninfo : conninfos) {
    EXPECT_EQ(config::redact_password(conninfo).find("s3cret"), std::string::npos) << conninfo;
  }
  EXPECT_EQ(fuzz("connection text",
                 [&](Mutator& m) {
                   config::database_url_from_dotenv(m.text(dotenv));
                   config::redact_password(m.text(conninfos[m.index(conninfos.size())]));
                 }),
            0);
}

// Discovery, checksums, parsing and every lint rule over the bundled migrations, one file
// mutated at a time (its contents, sometimes its name).
TEST_F(Fuzz, MigrationsThroughDiscoveryAndLint) {
  std::vector<migrate::SourceFile> files;
  for (const auto* name :
       {"0001_schema.up.sql", "0001_schema.down.sql", "0002_seeds.up.sql", "0002_seeds.down.sql",
        "0003_mid003_batch_optimizations.up.sql", "0003_mid003_batch_optimizations.down.sql"}) {
    files.push_back(
        {std::string("migrations/") + name, name, bundled(std::string("migrations/") + name)});
  }
  ASSERT_NO_THROW(
      lint::lint_migrations(lint::lint_migrations_of(migrate::discover_migrations(files, {})), {}));
  EXPECT_GT(fuzz("migrations",
                 [&](Mutator& m) {
                   auto mutated = files;
                   auto& victim = mutated[m.index(mutated.size())];
                   victim.bytes = m.text(victim.bytes);
                   if (m.index(4) == 0) { // a renamed file: versions, suffixes, pairs
                     victim.name = m.text(victim.name);
                     victim.path = "migrations/" + victim.name;
                   }
                   const auto set = migrate::discover_migrations(mutated, {});
                   lint::lint_migrations(lint::lint_migrations_of(set), {});
                 }),
            0);
}

TEST_F(Fuzz, ResultsDocuments) {
  const auto document =
      nlohmann::json::parse(read_text(case_path("compare", "shifted_30_percent/baseline.json")));
  ASSERT_NO_THROW(bench::results_from_json(document));
  EXPECT_GT(fuzz("results", [&](Mutator& m) { bench::results_from_json(m.json(document)); }), 0);
}

TEST_F(Fuzz, CheckResultsDocuments) {
  const auto document =
      nlohmann::json::parse(read_text(case_path("report", "with_checks/checks.json")));
  ASSERT_NO_THROW(check::from_json(document));
  EXPECT_GT(fuzz("check results", [&](Mutator& m) { check::from_json(m.json(document)); }), 0);
}

TEST_F(Fuzz, ExplainOutput) {
  for (const auto* fixture : {"active_session_after.json", "bitmap_heap_scan.json"}) {
    const auto text = read_text(case_path("explain", fixture));
    const auto document = nlohmann::json::parse(text);
    ASSERT_NO_THROW(plan::parse_explain(document)) << fixture;
    plan::PlanExpectation expectation;
    expectation.index_backed = "focus_sessions";
    expectation.no_seq_scan = {"focus_sessions"};
    EXPECT_GT(fuzz(fixture,
                   [&](Mutator& m) {
                     plan::check_plan(plan::parse_explain(m.json(document)), expectation);
                     plan::check_plan(plan::parse_explain(std::string_view(m.text(text))),
                                      expectation);
                   }),
              0);
  }
}

} // namespace
