#pragma once
// Documented performance claims ("50-100ms → 2-5ms, 10-50x", "20% ↓") parsed where possible and
// held against a measurement. A claim is never "confirmed" by a run on other hardware and data:
// the verdicts are informational and say whether the measurement bears the claim out.

#include <optional>
#include <string>
#include <vector>

#include "core/bench/results.h"
#include "core/stats/stats.h"

namespace preflight::bench {

struct Range {
  double low = 0;
  double high = 0;
};

/// One checkable part of a claim.
struct ClaimPart {
  enum class Kind { latency, reduction, factor };
  Kind kind = Kind::factor;
  std::string text;     // the part as written, trimmed
  Range before_ms;      // latency: documented before range
  Range after_ms;       // latency: documented after range
  double reduction = 0; // reduction: 0.2 for "20%"
  Range factor;         // factor: "10-50x" (low == high for "10x")
};

struct Claim {
  std::string text;
  std::vector<ClaimPart> parts;      // what could be parsed
  std::vector<std::string> unparsed; // comma-separated parts that could not
};

/// Splits `text` at commas/semicolons and parses "A[-B] ms → C[-D] ms" (also "->"), "N%"
/// (a latency reduction) and "N[-M]x" (a speed-up factor); anything else goes to `unparsed`.
Claim parse_claim(const std::string& text);

/// One informational verdict (kind "claim") per parsed part, comparing the before/after
/// medians and the bootstrap interval of their ratio with what the claim says.
std::vector<Verdict> check_claim(const Claim& claim, const std::string& query,
                                 const stats::Summary& before, const stats::Summary& after,
                                 const stats::Interval& improvement);

} // namespace preflight::bench
