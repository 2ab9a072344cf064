#pragma once
// The deployment checklist's three availability claims for migration 0003 ("Zero downtime
// expected", "Non-blocking: index creation doesn't lock table", "Brief lock during FK constraint
// update"), each set against what `bench load` measured: 0003 as written and its CONCURRENTLY
// variant under the same traffic.

#include <string>
#include <vector>

#include "core/bench/results.h"

namespace preflight::report {

struct LoadClaim {
  std::string claim;        // as the checklist words it
  std::string as_written;   // what the traffic measured with 0003 as written
  std::string concurrently; // … with the CONCURRENTLY variant
  bool borne_out = false;   // by 0003 as written (the migration the checklist ships)
};

/// The three claims against two load results (each must have a load part).
std::vector<LoadClaim> checklist_load_claims(const bench::Results& as_written,
                                             const bench::Results& concurrently);

/// A Markdown document: the claims table, then both runs' "Migration under traffic" sections.
std::string render_load_comparison(const bench::Results& as_written,
                                   const bench::Results& concurrently);

} // namespace preflight::report
