#pragma once
// `bench compare --confirm` re-measures both sides of a regressed row in the same minutes: the
// baseline's suite and the current's suite are each set up in a scratch database on one server,
// and the query is timed on the two in alternation. This machine's speed drifts by up to 1.5x
// over seconds and between runs, which is what makes two separate runs disagree; side by side, a
// drift moves both alike and only a real difference remains. One pair of databases per phase,
// set up once however many rounds and queries need it.

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "core/bench/compare.h"
#include "core/bench/results.h"
#include "core/bench/suite.h"
#include "io/bench/runner.h"
#include "io/pg/database_target.h"
#include "io/pg/scratch_database.h"

namespace preflight::bench {

/// Where the re-measuring happens and what it tells the user.
struct PairedRemeasureOptions {
  std::string baseline_suite; // the baseline's suite file; empty: the one its results name
  std::string current_suite;  // the same for the current results
  std::string history_table;  // as in preflight.toml
  std::string history_mode;   // likewise
  std::function<pg::DatabaseTarget()> open_target;       // called once, when first needed
  std::function<void(const std::string& line)> progress; // one line of progress each call
};

class PairedRemeasure {
public:
  /// Loads the two suites at the scale and seed their results were measured with; throws
  /// Error(input) (or the suite's own error, prefixed "--confirm") when one is missing or bad,
  /// before anything connects.
  PairedRemeasure(const Results& baseline, const Results& current, PairedRemeasureOptions options);
  PairedRemeasure(const PairedRemeasure&) = delete;
  PairedRemeasure& operator=(const PairedRemeasure&) = delete;

  /// Times `query` in `phase` on the two suites side by side (a bench::Remeasure); the first
  /// call for a phase sets up its two scratch databases. Throws what setting up or timing throws.
  Remeasured operator()(const std::string& query, const std::string& phase);

private:
  struct Side {
    std::unique_ptr<pg::ScratchDatabase> database;
    std::unique_ptr<BenchRunner> runner;
  };
  struct Pair {
    Side baseline;
    Side current;
  };

  Pair& phase_pair(const std::string& phase);
  Side open_side(const Suite& suite, const std::string& phase, const std::string& side);

  PairedRemeasureOptions m_options;
  Suite m_baseline;
  Suite m_current;
  std::unique_ptr<pg::DatabaseTarget> m_target;
  std::unique_ptr<pg::PgSession> m_admin; // declared before m_phases: outlives the databases
  std::map<std::string, Pair> m_phases;
};

} // namespace preflight::bench
