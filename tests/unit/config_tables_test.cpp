// preflight.toml: every unknown table is refused at its line, like unknown keys.

#include <gtest/gtest.h>

#include "core/config/config.h"
#include "core/error.h"
#include "support/refusal.h"

using namespace preflight;
using namespace std::string_literals;
using preflight::testing::refusal;

TEST(ConfigFile, UnknownTablesAreRefusedAtTheirLine) {
  EXPECT_EQ(refusal([] { config::parse_config("migrations = \"m\"\n\n[foo]\nx = 1\n", "p.toml"); }),
            (std::vector<std::string>{"p.toml:3:2: unknown table `[foo]`"}));
  EXPECT_EQ(refusal([] { config::parse_config("[a.b]\nx = 1\n", "p.toml"); }),
            (std::vector<std::string>{"p.toml:1:2: unknown table `[a]`"}));
  EXPECT_EQ(refusal([] { config::parse_config("[lint.rules]\n", "p.toml"); }),
            (std::vector<std::string>{"(accepted)"}));
}
