// preflight.toml: every unknown table is refused at its line, like unknown keys.

#include <gtest/gtest.h>

#include "core/config/config.h"
#include "core/error.h"

using namespace preflight;
using namespace std::string_literals;

namespace {

std::vector<std::string> all_headlines(const Error& e) {
  std::vector<std::string> lines{e.headline()};
  for (const auto& more : e.more()) lines.push_back(more.headline());
  return lines;
}

template <class F> std::vector<std::string> refusal(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::input);
    return all_headlines(e);
  }
  return {"(accepted)"};
}

} // namespace

TEST(ConfigFile, UnknownTablesAreRefusedAtTheirLine) {
  EXPECT_EQ(refusal([] { config::parse_config("migrations = \"m\"\n\n[foo]\nx = 1\n", "p.toml"); }),
            (std::vector<std::string>{"p.toml:3:2: unknown table `[foo]`"}));
  EXPECT_EQ(refusal([] { config::parse_config("[a.b]\nx = 1\n", "p.toml"); }),
            (std::vector<std::string>{"p.toml:1:2: unknown table `[a]`"}));
  EXPECT_EQ(refusal([] { config::parse_config("[lint.rules]\n", "p.toml"); }),
            (std::vector<std::string>{"(accepted)"}));
}
