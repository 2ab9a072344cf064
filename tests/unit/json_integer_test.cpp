// Integers in JSON documents from outside: whole numbers in range are read, anything else is a
// type error (never the undefined float-to-integer cast that UBSan found in the fuzz tests).

#include <gtest/gtest.h>

#include <cstdint>

#include "core/error.h"
#include "core/json_integer.h"
#include "core/plan/plan.h"

using nlohmann::json;
using preflight::json_integer;

TEST(JsonInteger, ReadsWholeNumbersInRangeWrittenEitherWay) {
  EXPECT_EQ(json_integer<int>(json::parse("42")), 42);
  EXPECT_EQ(json_integer<int>(json::parse("-7")), -7);
  EXPECT_EQ(json_integer<int>(json::parse("3.0")), 3);
  EXPECT_EQ(json_integer<std::int64_t>(json::parse("9007199254740993")), 9007199254740993);
  EXPECT_EQ(json_integer<std::size_t>(json::parse("18446744073709551615")),
            std::size_t{18446744073709551615U});
}

TEST(JsonInteger, RefusesFractionsOutOfRangeAndOtherTypes) {
  for (const char* text :
       {"-1e300", "1e300", "2.5", "2147483648", "-2147483649", "\"1\"", "true", "null", "[1]"}) {
    EXPECT_THROW(json_integer<int>(json::parse(text)), json::type_error) << text;
  }
  EXPECT_THROW(json_integer<std::size_t>(json::parse("-1")), json::type_error);
  EXPECT_THROW(json_integer<std::int64_t>(json::parse("9223372036854775808")), json::type_error);
  EXPECT_THROW(json_integer<std::int64_t>(json::parse("9.3e18")), json::type_error);
}

TEST(JsonInteger, AnExplainCounterThatIsNotAWholeNumberIsBadInput) {
  const std::string text = R"([{"Plan": {"Node Type": "Seq Scan", "Relation Name": "t",
    "Shared Hit Blocks": -1e300}, "Execution Time": 1.0}])";
  EXPECT_THROW(preflight::plan::parse_explain(std::string_view(text)), preflight::Error);
}
