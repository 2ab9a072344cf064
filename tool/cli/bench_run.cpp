#include "cli/bench_run.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include <fmt/format.h>

#include "cli/output.h"
#include "cli/results_output.h"
#include "core/bench/gbench.h"
#include "core/text/text_table.h"
#include "io/bench/runner.h"
#include "io/bench/side_by_side_database.h"
#include "io/report/report_files.h"

namespace preflight::cli {

namespace {

std::string ms(double value) {
  if (value < 1) return fmt::format("{:.3f}", value);
  if (value < 10) return fmt::format("{:.2f}", value);
  return fmt::format("{:.1f}", value);
}

std::string ratio(double value) {
  return value < 10 ? fmt::format("{:.2f}", value) : fmt::format("{:.0f}", value);
}

void print_run_progress(const bench::RunProgress& p, bool terminal) {
  if (p.step == "migrate" || p.step == "dataset" || p.step == "migration") {
    print_progress(fmt::format("{}: {}", p.step, p.query.empty() ? p.detail : p.query), terminal,
                   false);
    return;
  }
  const std::string head =
      fmt::format("[{} {}/{}] {}", p.phase, p.query_index, p.query_count, p.query);
  if (p.finished) {
    // Side by side, one line covers both phases, each with this many samples.
    const bool both = p.phase.find('|') != std::string::npos;
    print_progress(
        fmt::format("{}: {} samples{}, {}", head, p.samples, both ? " a phase" : "", p.detail),
        terminal, false);
  } else if (p.step == "sample") {
    print_progress(
        fmt::format("{}: {}/{} samples, ETA {:.0f} s", head, p.samples, p.target, p.eta_s),
        terminal, true);
  } else {
    print_progress(head + ": warming up", terminal, true);
  }
}

std::string gbench_path(const BenchOptions& options) {
  if (options.gbench_out) return *options.gbench_out; // implies --format gbench
  if (options.format != "gbench") return {};
  const auto& out = options.out;
  return (out.ends_with(".json") ? out.substr(0, out.size() - 5) : out) + ".gbench.json";
}

// An output written over the suite, its dataset or the other output would lose it.
void refuse_overwriting_inputs(const bench::Suite& suite, const std::string& out,
                               const std::string& gbench_out) {
  std::vector<std::pair<std::string, std::string>> inputs{{"the suite file", suite.file}};
  if (suite.dataset_file) inputs.emplace_back("the dataset file", *suite.dataset_file);
  std::vector<std::pair<std::string, std::string>> outputs{{"--out", out}};
  if (!gbench_out.empty()) outputs.emplace_back("--gbench-out", gbench_out);
  for (const auto& [option, path] : outputs) {
    for (const auto& [what, input] : inputs) {
      if (report::same_file(path, input)) {
        throw Error(ErrorKind::usage,
                    fmt::format("{} {} is {}: it would be overwritten", option, path, what),
                    "write the results somewhere else");
      }
    }
  }
  if (!gbench_out.empty() && report::same_file(out, gbench_out)) {
    throw Error(ErrorKind::usage,
                fmt::format("--out and --gbench-out name the same file ({}): one would overwrite "
                            "the other",
                            out),
                "give --gbench-out another file (default: <out>.gbench.json)");
  }
}

// "latency p95_ms", but "improvement" once where the verdict's kind is also its name.
std::string verdict_label(const bench::Verdict& v) {
  return v.kind == v.name ? v.kind : v.kind + " " + v.name;
}

} // namespace

std::vector<std::string>
side_by_side_table(const std::vector<std::pair<std::string, bench::Results>>& results) {
  std::vector<std::vector<std::string>> rows{{"operation"}};
  for (const auto& [target, r] : results) rows[0].push_back(target);
  // Operations in the order the suite lists them (the same suite ran on every target).
  std::vector<std::string> operations;
  for (const auto& [target, r] : results) {
    for (const auto& q : r.queries) {
      if (std::find(operations.begin(), operations.end(), q.name) == operations.end())
        operations.push_back(q.name);
    }
  }
  for (const auto& name : operations) {
    std::vector<std::string> row{name};
    for (const auto& [target, r] : results) {
      const auto it = std::find_if(r.queries.begin(), r.queries.end(),
                                   [&](const auto& q) { return q.name == name; });
      const auto* before = it == r.queries.end() ? nullptr : it->find_phase("before");
      const auto* after = it == r.queries.end() ? nullptr : it->find_phase("after");
      if (before == nullptr && after == nullptr) {
        row.emplace_back("-");
        continue;
      }
      std::string cell = fmt::format("{} → {} ms", before ? ms(before->summary.p50) : "-",
                                     after ? ms(after->summary.p50) : "-");
      if (it->improvement) cell += fmt::format(" ({}x)", ratio(it->improvement->estimate));
      row.push_back(std::move(cell));
    }
    rows.push_back(std::move(row));
  }
  return text::align_columns(rows);
}

bool on_terminal() {
  const char* ci = std::getenv("CI");
  return isatty(STDERR_FILENO) && !(ci && std::string(ci) == "true");
}

void save_json(const std::string& path, const nlohmann::json& document) {
  report::write_text_file_or_keep(path, document.dump(2) + "\n");
}

std::vector<std::string> results_table(const bench::Results& results) {
  std::vector<std::vector<std::string>> rows{
      {"operation", "before p50/p95 ms", "after p50/p95 ms", "ratio (95% CI)", "claim", "verdict"}};
  for (const auto& q : results.queries) {
    auto cell = [](const bench::PhaseResult* p) {
      return p ? ms(p->summary.p50) + " / " + ms(p->summary.p95) : std::string("-");
    };
    std::string r = q.improvement
                        ? fmt::format("{}x ({}-{})", ratio(q.improvement->estimate),
                                      ratio(q.improvement->low), ratio(q.improvement->high))
                        : "-";
    int failed = 0, checked = 0;
    for (const auto& v : results.verdicts) {
      if (v.query != q.name || v.informational) continue;
      ++checked;
      failed += v.passed ? 0 : 1;
    }
    std::string verdict = checked == 0  ? "-"
                          : failed == 0 ? fmt::format("pass ({})", checked)
                                        : fmt::format("FAIL ({}/{})", failed, checked);
    rows.push_back({q.name, cell(q.find_phase("before")), cell(q.find_phase("after")), r,
                    q.claim.empty() ? "-" : q.claim, verdict});
  }
  auto lines = text::align_columns(rows);
  bool header = false;
  for (const auto& v : results.verdicts) {
    if (v.kind != "claim") continue;
    if (!header)
      lines.push_back("\nClaims (informational: measured here, on this machine and dataset):");
    header = true;
    lines.push_back(fmt::format("  {}: \"{}\" — {}", v.query, v.name.substr(6), v.actual));
  }
  header = false;
  for (const auto& v : results.verdicts) {
    if (v.passed || v.informational) continue;
    if (!header) lines.push_back("\nFailed expectations:");
    header = true;
    lines.push_back(fmt::format("  {}{}: {}: expected {}; measured {}", v.query,
                                v.phase.empty() ? "" : " (" + v.phase + ")", verdict_label(v),
                                v.expected, v.actual));
  }
  return lines;
}

std::optional<Error> failed_expectations(const bench::Results& results) {
  std::vector<std::string> failed;
  for (const auto& v : results.verdicts) {
    if (!v.passed && !v.informational) {
      failed.push_back(fmt::format("\"{}\"{} {}", v.query,
                                   v.phase.empty() ? "" : " (" + v.phase + ")", verdict_label(v)));
    }
  }
  if (failed.empty()) return std::nullopt;
  std::string list;
  for (const auto& f : failed) list += (list.empty() ? "" : "; ") + f;
  return Error(ErrorKind::problem,
               fmt::format("{} expectation{} failed: {}", failed.size(),
                           failed.size() == 1 ? "" : "s", list),
               "see the table above and the verdicts in the results file");
}

bench::CpuWakeupRequest request_cpu_wakeup(bool allow_sleep, const std::string& prefix,
                                           bool terminal) {
  if (allow_sleep) return bench::CpuWakeupRequest::allow_sleep();
  auto wakeup = bench::CpuWakeupRequest::hold();
  if (!wakeup.held()) {
    print_progress(fmt::format("{}CPU wake-up latency not held ({}): idle CPUs may sleep, which "
                               "adds their wake-up time to every round trip",
                               prefix, wakeup.note()),
                   terminal, false);
  }
  return wakeup;
}

bench::Results run_suite(bench::Suite suite, pg::PgSession& session, bool throwaway_cluster,
                         const BenchOptions& options, const config::Config& config,
                         const std::string& history_table) {
  bench::RunOptions run;
  run.scale = options.scale;
  run.iterations = options.iterations;
  run.time_budget_s = options.time_budget_s;
  run.throwaway_cluster = throwaway_cluster;
  run.allow_dataset = options.allow_dataset;
  run.allow_writes = options.allow_writes;
  run.history_table = history_table;
  run.history_mode = config.history;
  // Before anything runs: a results file that cannot be written would lose the whole run.
  const std::string gbench_out = gbench_path(options);
  refuse_overwriting_inputs(suite, options.out, gbench_out);
  report::check_writable(options.out);
  if (!gbench_out.empty()) report::check_writable(gbench_out);
  const bool terminal = on_terminal();
  // Held for the whole run rather than per phase: a request withdrawn between phases would
  // only add moments where the CPUs may sleep.
  const auto wakeup = request_cpu_wakeup(options.allow_cpu_sleep, "", terminal);
  std::unique_ptr<bench::SideBySideDatabase> after;
  if (options.side_by_side) {
    after = std::make_unique<bench::SideBySideDatabase>(
        session, fmt::format("preflight_after_{}", getpid()),
        [terminal](const std::string& line) { print_progress(line, terminal, false); });
    run.after_database = [&after] { return after->open(); };
  }
  bench::BenchRunner runner(session, std::move(suite), run);
  runner.on_progress([terminal](const bench::RunProgress& p) { print_run_progress(p, terminal); });
  auto results = runner.run();
  results.environment.cpu_wakeup_held = wakeup.held();
  results.environment.cpu_wakeup_note = wakeup.note();

  save_json(options.out, bench::to_json(results));
  if (!gbench_out.empty()) save_json(gbench_out, bench::to_gbench_json(results));
  print_line("");
  for (const auto& line : results_table(results)) print_line(line);
  const auto& e = results.environment;
  print_line(fmt::format(
      "\nPostgreSQL {} on {} ({} CPUs); {}{}; {}; scale {:g}", e.server_version, e.host_name,
      e.cpus, e.throwaway_cluster ? "throwaway cluster, " : "",
      e.durable ? "durable (fsync on)" : "not durable (fsync off: write latencies are optimistic)",
      wakeup.held() ? "CPU wake-up latency held at 0 µs" : "CPUs could sleep", results.scale));
  if (!results.side_by_side) {
    print_line("before and after were timed one after the other: the ratios include any change in "
               "the machine's speed between them (--side-by-side alternates them)");
  }
  print_line("results: " + options.out +
             (gbench_out.empty() ? "" : ", Google Benchmark JSON: " + gbench_out));
  return results;
}

} // namespace preflight::cli
