#include "io/bench/paired_remeasure.h"

#include <unistd.h>

#include <fmt/format.h>

#include "io/bench/suite_file.h"
#include "io/bench/timing_loop.h"

namespace preflight::bench {

namespace {

// The suite a results file was measured with, at the scale and seed it was measured with.
Suite side_suite(const std::string& side, const Results& results, const std::string& given) {
  const std::string file = given.empty() ? results.suite_file : given;
  if (file.empty()) {
    throw Error(ErrorKind::input,
                fmt::format("--confirm: the {} results name no suite file to re-run", side),
                fmt::format("pass --{}-suite FILE", side));
  }
  Suite suite;
  try {
    suite = load_suite(file); // a bad or missing suite stops here, before any comparison
  } catch (const Error& error) {
    if (!error.hint().empty()) throw error.with_context("--confirm");
    throw Error(error.kind(), "--confirm: " + error.message(),
                fmt::format("--confirm re-measures the {0} suite; pass --{0}-suite FILE when it "
                            "is somewhere else "
                            "(e.g. in a checkout of the base branch)",
                            side),
                error.location());
  }
  suite.scale = results.scale;
  suite.seed = results.seed;
  return suite;
}

} // namespace

PairedRemeasure::PairedRemeasure(const Results& baseline, const Results& current,
                                 PairedRemeasureOptions options)
    : m_options(std::move(options)),
      m_baseline(side_suite("baseline", baseline, m_options.baseline_suite)),
      m_current(side_suite("current", current, m_options.current_suite)) {}

Remeasured PairedRemeasure::operator()(const std::string& query, const std::string& phase) {
  auto& pair = phase_pair(phase);
  const auto base_request = pair.baseline.runner->prepare(query, phase);
  const auto current_request = pair.current.runner->prepare(query, phase);
  m_options.progress(
      fmt::format("--confirm: timing {} ({}), baseline and current side by side", query, phase));
  // New server processes every round: on an idle VM one backend can be woken several times
  // slower than another (which CPU it sleeps on), and that must not repeat in every round.
  auto base_session = pair.baseline.database->session().connect_again("preflight bench compare");
  auto current_session = pair.current.database->session().connect_again("preflight bench compare");
  auto timed =
      time_side_by_side(*base_session, base_request, *current_session, current_request, {});
  if (!timed.on_one_cpu) {
    m_options.progress(
        fmt::format("--confirm: the two server processes did not share one CPU ({}): a difference "
                    "between CPUs counts as a difference between the sides",
                    timed.one_cpu_note));
  }
  return {std::move(timed.first.samples_ms), std::move(timed.second.samples_ms),
          timed.on_one_cpu ? "" : timed.one_cpu_note};
}

PairedRemeasure::Pair& PairedRemeasure::phase_pair(const std::string& phase) {
  auto found = m_phases.find(phase);
  if (found != m_phases.end()) return found->second;
  if (!m_target) {
    m_target = std::make_unique<pg::DatabaseTarget>(m_options.open_target());
    m_admin = m_target->connect("preflight bench compare --confirm");
  }
  Pair pair{open_side(m_baseline, phase, "baseline"), open_side(m_current, phase, "current")};
  return m_phases.emplace(phase, std::move(pair)).first->second;
}

PairedRemeasure::Side PairedRemeasure::open_side(const Suite& suite, const std::string& phase,
                                                 const std::string& side) {
  const std::string database = fmt::format("preflight_confirm_{}_{}_{}", getpid(), side, phase);
  m_options.progress(fmt::format("--confirm: setting up the {} suite ({}) in database {}", side,
                                 suite.file, database));
  Side result;
  result.database =
      std::make_unique<pg::ScratchDatabase>(*m_admin, database, "preflight bench compare");
  RunOptions options;
  options.throwaway_cluster = true; // a scratch database preflight created: no refusals apply
  options.history_table = m_options.history_table;
  options.history_mode = m_options.history_mode;
  result.runner = std::make_unique<BenchRunner>(result.database->session(), suite, options);
  return result;
}

} // namespace preflight::bench
