// The one plain-text table of bench run and bench compare: columns aligned in code points.

#include <gtest/gtest.h>

#include "core/text/text_table.h"

using preflight::text::align_columns;
using preflight::text::code_points;

TEST(TextTable, ColumnsAlignInCodePointsAndTheLastIsNotPadded) {
  EXPECT_EQ(code_points("10-15ms → 8-12ms"), 16U);
  EXPECT_EQ(align_columns({{"operation", "claim", "verdict"},
                           {"Get Active Session", "50-100ms → 2-5ms", "pass (3)"},
                           {"Ünïcode", "-", "-"}}),
            (std::vector<std::string>{"operation           claim             verdict",
                                      "Get Active Session  50-100ms → 2-5ms  pass (3)",
                                      "Ünïcode             -                 -"}));
}

TEST(TextTable, RowsOfDifferentLengthsAndAnotherGap) {
  EXPECT_EQ(align_columns({{"a", "bb"}, {"ccc"}}, 1), (std::vector<std::string>{"a   bb", "ccc"}));
  EXPECT_TRUE(align_columns({}).empty());
}
