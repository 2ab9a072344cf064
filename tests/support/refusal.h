#pragma once
// What a refused input reads like to a user: the headline of an Error and of every problem it
// carries, in order. Header-only so unit tests stay core-only.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/error.h"

namespace preflight::testing {

/// The headline of `e`, then those of the problems it carries (Error::more()).
inline std::vector<std::string> all_headlines(const Error& e) {
  std::vector<std::string> lines{e.headline()};
  for (const auto& more : e.more()) lines.push_back(more.headline());
  return lines;
}

/// Runs `f`: the headlines of the Error(input) it throws (a failed expectation for another
/// kind), or {"(accepted)"} when it throws nothing.
template <class F> std::vector<std::string> refusal(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::input);
    return all_headlines(e);
  }
  return {"(accepted)"};
}

} // namespace preflight::testing
