#include "core/bench/compare.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "core/error.h"
#include "core/plan/plan.h"
#include "core/text/text.h"

namespace preflight::bench {

std::string to_string(Change change) {
  switch (change) {
  case Change::regression: return "regression";
  case Change::improvement: return "improvement";
  case Change::no_change: break;
  }
  return "no change";
}

std::string to_string(Severity severity) {
  switch (severity) {
  case Severity::error: return "error";
  case Severity::warning: return "warning";
  case Severity::notice: break;
  }
  return "notice";
}

bool Comparison::failed() const {
  return std::any_of(findings.begin(), findings.end(),
                     [](const Finding& f) { return f.severity == Severity::error; });
}

namespace {

int server_major(const Environment& e) {
  if (e.server_version_num >= 100000) return e.server_version_num / 10000;
  try {
    return std::stoi(e.server_version);
  } catch (const std::exception&) {
    return 0;
  }
}

// One rule for the first comparison and for every --confirm re-run, so a confirmation can never
// be judged more leniently than the finding it confirms.
PhaseComparison evaluate(const std::string& query, const std::string& phase,
                         const std::vector<double>& baseline, const std::vector<double>& current,
                         double min_effect, const CompareOptions& options) {
  PhaseComparison row;
  row.query = query;
  row.phase = phase;
  row.baseline = stats::summarize(baseline);
  row.current = stats::summarize(current);
  row.confidence = 1 - options.alpha;
  row.min_effect = min_effect;
  row.ratio = stats::bootstrap_ratio_of_medians(current, baseline, row.confidence,
                                                options.bootstrap_resamples, options.seed);
  row.p_value = stats::mann_whitney_u(current, baseline).p_value;
  if (row.p_value < options.alpha && row.ratio.estimate > 0) {
    if (row.ratio.estimate > 1 + min_effect) {
      row.change = Change::regression;
    } else if (1 / row.ratio.estimate > 1 + min_effect) {
      row.change = Change::improvement;
    }
  }
  return row;
}

std::string change_message(const PhaseComparison& row, const CompareOptions& options) {
  return fmt::format(
      "median {} ms → {} ms ({}, {:g} % CI {} to {}), p = {:.2g} < {}, beyond the {:g} % "
      "minimum effect",
      text::format_ms(row.baseline.p50), text::format_ms(row.current.p50),
      text::format_change(row.ratio.estimate), row.confidence * 100,
      text::format_change(row.ratio.low), text::format_change(row.ratio.high), row.p_value,
      options.alpha, row.min_effect * 100);
}

std::string join_shape(const std::vector<std::string>& shape) {
  std::string out;
  for (const auto& label : shape) out += (out.empty() ? "" : " > ") + label;
  return out;
}

plan::Plan read_plan(const nlohmann::json& explain, const char* side, const std::string& query,
                     const std::string& phase) {
  try {
    return plan::parse_explain(explain);
  } catch (const Error& e) {
    throw e.with_context(fmt::format("{} results, query \"{}\" phase {}", side, query, phase));
  }
}

void compare_plans(const std::string& query, const PhaseResult& baseline,
                   const PhaseResult& current, const CompareOptions& options,
                   std::vector<Finding>& findings) {
  if (baseline.explain.is_null() || current.explain.is_null()) return;
  auto before = read_plan(baseline.explain, "baseline", query, baseline.phase);
  auto after = read_plan(current.explain, "current", query, current.phase);
  auto indexed_before = before.index_backed_relations();
  auto indexed_after = after.index_backed_relations();
  auto scanned_after = after.seq_scanned_relations();
  bool lost_index = false;
  for (const auto& relation : indexed_before) {
    bool still_indexed = std::binary_search(indexed_after.begin(), indexed_after.end(), relation);
    bool now_scanned = std::binary_search(scanned_after.begin(), scanned_after.end(), relation);
    if (still_indexed || !now_scanned) continue;
    lost_index = true;
    findings.push_back(
        {options.allow_plan_change ? Severity::warning : Severity::error, "plan", query,
         current.phase,
         fmt::format("{} was read through an index and is now read by a sequential scan (baseline "
                     "plan: {}; current plan: {})",
                     relation, join_shape(before.shape()), join_shape(after.shape()))});
  }
  if (!lost_index && before.shape() != after.shape()) {
    findings.push_back({Severity::warning, "plan", query, current.phase,
                        fmt::format("plan changed from {} to {}", join_shape(before.shape()),
                                    join_shape(after.shape()))});
  }
}

double min_effect_for(const QueryResult& current, const QueryResult& baseline,
                      const CompareOptions& options) {
  if (options.min_effect) return *options.min_effect;
  if (current.min_effect) return *current.min_effect;
  if (baseline.min_effect) return *baseline.min_effect;
  return options.default_min_effect;
}

} // namespace

std::vector<std::string> environment_differences(const Environment& baseline,
                                                 const Environment& current) {
  std::vector<std::string> out;
  auto differs = [&](const std::string& what, const std::string& a, const std::string& b) {
    if (a != b) out.push_back(fmt::format("{} differs: {} (baseline) vs {} (current)", what, a, b));
  };
  differs("server major version", std::to_string(server_major(baseline)),
          std::to_string(server_major(current)));
  std::set<std::string> names;
  for (const auto& [name, value] : baseline.settings) names.insert(name);
  for (const auto& [name, value] : current.settings) names.insert(name);
  for (const auto& name : names) {
    auto a = baseline.settings.find(name);
    auto b = current.settings.find(name);
    differs("setting " + name, a == baseline.settings.end() ? "(not recorded)" : a->second,
            b == current.settings.end() ? "(not recorded)" : b->second);
  }
  auto durability = [](bool durable) {
    return durable ? std::string("durable") : std::string("not durable");
  };
  differs("durability", durability(baseline.durable), durability(current.durable));
  if (baseline.cpu_wakeup_held && current.cpu_wakeup_held) {
    auto wakeup = [](bool held) {
      return held ? std::string("held at 0 µs") : std::string("not held");
    };
    differs("CPU wake-up latency", wakeup(*baseline.cpu_wakeup_held),
            wakeup(*current.cpu_wakeup_held));
  }
  differs("host", baseline.host_name, current.host_name);
  differs("CPU count", std::to_string(baseline.cpus), std::to_string(current.cpus));
  return out;
}

std::vector<std::string> setup_differences(const Results& baseline, const Results& current) {
  std::vector<std::string> out;
  auto differs = [&](const std::string& what, const std::string& a, const std::string& b) {
    if (a != b) out.push_back(fmt::format("{} differs: {} (baseline) vs {} (current)", what, a, b));
  };
  // The same suite is often run from two checkouts (../base/benchmarks/x.toml, then
  // benchmarks/x.toml): the folder is where it was run from, the file name is the suite.
  auto file_name = [](const std::string& path) {
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
  };
  auto suite = [&](const Results& r) {
    return r.suite_name == r.suite_file ? file_name(r.suite_file) : r.suite_name;
  };
  differs("suite", suite(baseline), suite(current));
  differs("suite file name", file_name(baseline.suite_file), file_name(current.suite_file));
  differs("scale", fmt::format("{:g}", baseline.scale), fmt::format("{:g}", current.scale));
  differs("seed", std::to_string(baseline.seed), std::to_string(current.seed));
  auto mode = [](bool side_by_side) {
    return side_by_side ? std::string("side by side") : std::string("one phase after the other");
  };
  differs("mode", mode(baseline.side_by_side), mode(current.side_by_side));
  return out;
}

EnvironmentCheck check_environment(const Results& baseline, const Results& current, bool strict) {
  EnvironmentCheck check;
  check.differences = environment_differences(baseline.environment, current.environment);
  for (auto& d : setup_differences(baseline, current)) check.differences.push_back(std::move(d));
  check.fatal = strict && !check.differences.empty();
  return check;
}

Comparison compare_results(const Results& baseline, const Results& current,
                           const CompareOptions& options) {
  Comparison comparison;
  for (auto& difference : environment_differences(baseline.environment, current.environment)) {
    comparison.findings.push_back({Severity::warning, "environment", "", "",
                                   difference + "; the numbers may not be comparable"});
  }
  for (auto& difference : setup_differences(baseline, current)) {
    comparison.findings.push_back(
        {Severity::warning, "setup", "", "", difference + "; the numbers may not be comparable"});
  }
  for (const auto& q : baseline.queries) {
    if (!current.find_query(q.name)) {
      comparison.findings.push_back(
          {Severity::warning, "missing", q.name, "", "only in the baseline, not measured now"});
    }
  }
  std::vector<Finding> changes;
  std::vector<Finding> plans;
  for (const auto& q : current.queries) {
    const QueryResult* base = baseline.find_query(q.name);
    if (!base) {
      comparison.findings.push_back(
          {Severity::warning, "missing", q.name, "", "not in the baseline: nothing to compare"});
      continue;
    }
    for (const auto& p : q.phases) {
      const PhaseResult* b = base->find_phase(p.phase);
      if (!b) {
        comparison.findings.push_back(
            {Severity::warning, "missing", q.name, p.phase, "phase not in the baseline"});
        continue;
      }
      auto row = evaluate(q.name, p.phase, b->samples_ms, p.samples_ms,
                          min_effect_for(q, *base, options), options);
      if (row.change != Change::no_change) {
        changes.push_back({row.change == Change::regression ? Severity::error : Severity::notice,
                           to_string(row.change), q.name, p.phase, change_message(row, options)});
      }
      comparison.rows.push_back(std::move(row));
      compare_plans(q.name, *b, p, options, plans);
    }
    for (const auto& b : base->phases) {
      if (!q.find_phase(b.phase)) {
        comparison.findings.push_back(
            {Severity::warning, "missing", q.name, b.phase, "phase not measured now"});
      }
    }
  }
  comparison.findings.insert(comparison.findings.end(), changes.begin(), changes.end());
  comparison.findings.insert(comparison.findings.end(), plans.begin(), plans.end());
  return comparison;
}

void confirm_regressions(Comparison& comparison, const Remeasure& remeasure, int runs,
                         const CompareOptions& options, ConfirmScope scope) {
  if (runs <= 0) return;
  for (auto& row : comparison.rows) {
    const bool flagged = row.change == Change::regression;
    if (!flagged && scope == ConfirmScope::regressions) continue;
    int held = 0;
    int apart = 0;
    std::string apart_reason;
    std::vector<PhaseComparison> again;
    for (int i = 0; i < runs; ++i) {
      auto fresh = remeasure(row.query, row.phase);
      if (!fresh.apart.empty() && apart++ == 0) apart_reason = fresh.apart;
      again.push_back(
          evaluate(row.query, row.phase, fresh.baseline, fresh.current, row.min_effect, options));
      if (again.back().change == Change::regression) ++held;
    }
    std::sort(again.begin(), again.end(), [](const PhaseComparison& a, const PhaseComparison& b) {
      return a.ratio.estimate < b.ratio.estimate;
    });
    const PhaseComparison& median = again[again.size() / 2];
    // A strict majority: one unlucky re-run on a shared runner neither makes nor breaks a finding.
    const bool regression = 2 * held > runs;
    std::string tally = fmt::format("{} of {} side-by-side re-runs, median change {}", held, runs,
                                    text::format_change(median.ratio.estimate));
    // A difference between two CPUs counts as a difference between the sides: say so beside
    // the verdict it may have swayed.
    if (apart > 0) {
      tally +=
          fmt::format("; in {} of them the sides did not share one CPU ({})", apart, apart_reason);
    }
    if (flagged) {
      row.confirmation = (regression ? "held in " : "not confirmed: held in ") + tally;
      if (!regression) row.change = Change::no_change;
      for (auto& finding : comparison.findings) {
        if (finding.kind != "regression" || finding.query != row.query ||
            finding.phase != row.phase)
          continue;
        finding.message += " (" + row.confirmation + ")";
        if (!regression) finding.severity = Severity::warning;
      }
      continue;
    }
    if (!regression) {
      row.confirmation = "checked: a regression in " + tally;
      continue;
    }
    // Hidden by drift in the stored samples, shown side by side: the re-runs' finding replaces
    // the stored one (an improvement notice, if any) among the change findings.
    row.change = Change::regression;
    row.confirmation = "found side by side: a regression in " + tally;
    auto& findings = comparison.findings;
    std::erase_if(findings, [&](const Finding& f) {
      return f.kind == "improvement" && f.query == row.query && f.phase == row.phase;
    });
    auto plan = std::find_if(findings.begin(), findings.end(),
                             [](const Finding& f) { return f.kind == "plan"; });
    findings.insert(plan, {Severity::error, "regression", row.query, row.phase,
                           change_message(median, options) + " (" + row.confirmation + ")"});
  }
}

} // namespace preflight::bench
