#include "core/bench/claim.h"

#include <regex>

#include <fmt/format.h>

namespace preflight::bench {

namespace {

std::string trim(const std::string& s) {
  auto begin = s.find_first_not_of(" \t");
  if (begin == std::string::npos) return {};
  auto end = s.find_last_not_of(" \t");
  return s.substr(begin, end - begin + 1);
}

Range range(const std::ssub_match& low, const std::ssub_match& high) {
  double l = std::stod(low.str());
  return {l, high.matched ? std::stod(high.str()) : l};
}

std::string ms(double value) {
  return value < 1 ? fmt::format("{:.3f} ms", value) : fmt::format("{:.1f} ms", value);
}

std::string range_text(Range r, const char* unit) {
  return r.low == r.high ? fmt::format("{:g}{}", r.low, unit)
                         : fmt::format("{:g}-{:g}{}", r.low, r.high, unit);
}

// Three outcomes because an interval can straddle the claim: then the run cannot tell.
Verdict factor_verdict(const std::string& query, const std::string& text, double claimed_min_factor,
                       const stats::Interval& improvement, const std::string& claimed) {
  Verdict v{query, "", "claim", "claim " + text, false, claimed, "", true};
  const char* outcome = "inconclusive";
  if (improvement.low >= claimed_min_factor) {
    outcome = "borne out";
    v.passed = true;
  } else if (improvement.high < claimed_min_factor) {
    outcome = "not borne out";
  }
  v.actual = fmt::format("{}: measured {:.2f}x (95% CI {:.2f}-{:.2f}x)", outcome,
                         improvement.estimate, improvement.low, improvement.high);
  return v;
}

} // namespace

Claim parse_claim(const std::string& text) {
  static const std::regex latency(
      R"(^([0-9.]+)\s*(?:-\s*([0-9.]+))?\s*ms\s*(?:→|->)\s*([0-9.]+)\s*(?:-\s*([0-9.]+))?\s*ms\b.*$)");
  static const std::regex percent(R"(^([0-9.]+)\s*%.*$)");
  static const std::regex factor(R"(^([0-9.]+)\s*(?:-\s*([0-9.]+))?\s*[xX×]\b.*$)");
  Claim claim;
  claim.text = text;
  std::string rest = text;
  std::size_t start = 0;
  while (start <= rest.size()) {
    auto end = rest.find_first_of(",;", start);
    std::string part =
        trim(rest.substr(start, end == std::string::npos ? std::string::npos : end - start));
    start = end == std::string::npos ? rest.size() + 1 : end + 1;
    if (part.empty()) continue;
    std::smatch m;
    ClaimPart p;
    p.text = part;
    if (std::regex_match(part, m, latency)) {
      p.kind = ClaimPart::Kind::latency;
      p.before_ms = range(m[1], m[2]);
      p.after_ms = range(m[3], m[4]);
    } else if (std::regex_match(part, m, percent)) {
      p.kind = ClaimPart::Kind::reduction;
      p.reduction = std::stod(m[1].str()) / 100;
    } else if (std::regex_match(part, m, factor)) {
      p.kind = ClaimPart::Kind::factor;
      p.factor = range(m[1], m[2]);
    } else {
      claim.unparsed.push_back(part);
      continue;
    }
    claim.parts.push_back(p);
  }
  return claim;
}

std::vector<Verdict> check_claim(const Claim& claim, const std::string& query,
                                 const stats::Summary& before, const stats::Summary& after,
                                 const stats::Interval& improvement) {
  std::vector<Verdict> verdicts;
  for (const auto& part : claim.parts) {
    switch (part.kind) {
    case ClaimPart::Kind::latency: {
      // Absolute figures belong to the machine and data they were taken on: say whether this
      // run lands in the documented ranges, nothing more.
      bool before_in = before.p50 >= part.before_ms.low && before.p50 <= part.before_ms.high;
      bool after_in = after.p50 >= part.after_ms.low && after.p50 <= part.after_ms.high;
      Verdict v{query,
                "",
                "claim",
                "claim " + part.text,
                before_in && after_in,
                fmt::format("{} → {} (documented, other machine and data)",
                            range_text(part.before_ms, " ms"), range_text(part.after_ms, " ms")),
                "",
                true};
      v.actual =
          fmt::format("{}: measured p50 {} → {}", v.passed ? "consistent" : "not borne out here",
                      ms(before.p50), ms(after.p50));
      verdicts.push_back(std::move(v));
      break;
    }
    case ClaimPart::Kind::reduction: {
      // "20% ↓" means after = 0.8 × before, i.e. a before/after ratio of 1 / 0.8.
      double needed = part.reduction < 1 ? 1 / (1 - part.reduction) : 1e300;
      auto v = factor_verdict(
          query, part.text, needed, improvement,
          fmt::format("latency {:g}% lower (ratio ≥ {:.2f}x)", part.reduction * 100, needed));
      const double change = (1 - 1 / improvement.estimate) * 100;
      v.actual += change >= 0 ? fmt::format(", i.e. {:.0f}% lower", change)
                              : fmt::format(", i.e. {:.0f}% higher", -change);
      verdicts.push_back(std::move(v));
      break;
    }
    case ClaimPart::Kind::factor:
      verdicts.push_back(factor_verdict(
          query, part.text, part.factor.low, improvement,
          fmt::format("{} faster (ratio ≥ {:g}x)", range_text(part.factor, "x"), part.factor.low)));
      break;
    }
  }
  return verdicts;
}

} // namespace preflight::bench
