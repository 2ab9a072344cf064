// `preflight bench load`: the suite's operations as open-loop traffic while its migration runs.

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/app.h"
#include "cli/bench_load.h"
#include "cli/bench_run.h"
#include "cli/number_options.h"
#include "cli/output.h"
#include "cli/results_output.h"
#include "core/report/load_report.h"
#include "io/bench/interrupt.h"
#include "io/bench/load_runner.h"
#include "io/bench/suite_file.h"
#include "io/report/report_files.h"

namespace preflight::cli {

namespace {

struct LoadCommandOptions {
  std::string suite;
  std::string out = "reports/load.json";
  int clients = 8;
  double rate = 200;
  double before_s = 5;
  double after_s = 5;
  std::int64_t max_operations = 1'000'000;
  double max_duration_s = 600;
  std::optional<double> scale;
  bool allow_dataset = false;
  bool allow_writes = false;
  std::string lock_timeout;
  std::string statement_timeout;
};

std::string ms(double value) {
  if (value < 10) return fmt::format("{:.2f}", value);
  return fmt::format("{:.0f}", value);
}

std::string pad(const std::string& text, std::size_t width) {
  std::size_t points = 0;
  for (char c : text) points += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1U : 0U;
  return text + std::string(width > points ? width - points : 0, ' ');
}

std::vector<std::string> table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      std::size_t points = 0;
      for (char ch : row[c]) points += (static_cast<unsigned char>(ch) & 0xC0) != 0x80 ? 1U : 0U;
      widths[c] = std::max(widths[c], points);
    }
  }
  std::vector<std::string> lines;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c)
      line += c + 1 < row.size() ? pad(row[c], widths[c] + 2) : row[c];
    while (!line.empty() && line.back() == ' ') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

} // namespace

std::vector<std::string> load_table(const bench::Results& results) {
  std::vector<std::string> lines;
  if (!results.load) return lines;
  const auto& run = *results.load;
  std::vector<std::vector<std::string>> rows{{"operation", "phase", "executed", "errors", "ops/s",
                                              "p50 ms", "p99 ms", "max ms", "service p50 ms"}};
  for (const auto& op : run.operations) {
    bool first = true;
    for (const auto& p : op.phases) {
      rows.push_back({first ? op.name : "", p.phase, std::to_string(p.operations),
                      std::to_string(p.errors), fmt::format("{:.1f}", p.throughput),
                      p.operations ? ms(p.p50_ms) : "-", p.operations ? ms(p.p99_ms) : "-",
                      p.operations ? ms(p.max_ms) : "-",
                      p.operations ? ms(p.service_p50_ms) : "-"});
      first = false;
    }
  }
  lines = table(rows);
  lines.push_back("");
  for (const auto& op : run.operations) {
    std::string errors;
    for (const auto& [kind, count] : op.errors) errors += fmt::format(", {} {}", count, kind);
    lines.push_back(fmt::format("{}: longest stall {} ms (from {:.2f} s), blocked {} ms in total{}",
                                op.name, ms(op.longest_stall_ms), op.longest_stall_at_s,
                                ms(op.blocked_ms), errors));
  }
  lines.push_back("");
  if (run.migration_start_s) {
    lines.push_back(fmt::format("Migration {} from {:.2f} s to {:.2f} s: {}",
                                results.migration ? results.migration->version : 0,
                                *run.migration_start_s, run.migration_end_s.value_or(0),
                                run.migration_outcome));
    for (const auto& s : run.statements) {
      lines.push_back(fmt::format("  {:.2f}-{:.2f} s  {}:{} {}{}", s.start_s, s.end_s, s.file,
                                  s.line, s.text, s.failed ? " (failed)" : ""));
    }
  } else {
    lines.push_back("Migration: " + run.migration_outcome);
  }
  if (!run.blocking.empty()) {
    lines.push_back("\nBlocking statements (lock waits of the traffic, sampled every " +
                    fmt::format("{:g}", run.sample_interval_ms) + " ms):");
    for (const auto& b : run.blocking) {
      lines.push_back(fmt::format("  {}: {} waited {} ms for {} on {}",
                                  report::load_statement_label(run, b.statement), b.operation,
                                  ms(b.blocked_ms), b.mode,
                                  b.relation.empty() ? "a row or transaction" : b.relation));
    }
  } else if (run.migration_start_s) {
    lines.push_back("\nNo traffic waited for a lock the migration held.");
  }
  for (const auto& v : results.verdicts) {
    if (v.passed) continue;
    lines.push_back(
        fmt::format("FAIL {}: {} expected {}; measured {}", v.query, v.name, v.expected, v.actual));
  }
  lines.push_back(fmt::format("\n{} executions in {:.2f} s: {:.1f}/s achieved of {:g}/s asked, "
                              "{} connections; stopped: {}",
                              run.executions, run.duration_s, run.achieved_rate, run.rate,
                              run.clients, run.stop_reason));
  return lines;
}

namespace {

int run_load_command(GlobalOptions& globals, const LoadCommandOptions& options) {
  auto config = globals.load_config();
  auto suite = bench::load_suite(options.suite); // validate before starting or touching a database
  for (const auto& [flag, value] : {std::pair{"--lock-timeout", &options.lock_timeout},
                                    std::pair{"--statement-timeout", &options.statement_timeout}}) {
    if (!value->empty() && !config::is_timeout_setting(*value)) {
      throw Error(ErrorKind::usage, fmt::format("{} {}: not a timeout", flag, *value),
                  config::k_timeout_hint);
    }
  }
  bench::LoadOptions load;
  load.clients = options.clients;
  load.rate = options.rate;
  load.before_s = options.before_s;
  load.after_s = options.after_s;
  load.max_operations = options.max_operations;
  load.max_duration_s = options.max_duration_s;
  load.run.scale = options.scale;
  load.run.allow_dataset = options.allow_dataset;
  load.run.allow_writes = options.allow_writes;
  load.run.history_table = config.history_table;
  load.run.history_mode = config.history;
  load.migrator.history_table = config.history_table;
  load.migrator.history_mode = config.history;
  load.migrator.lock_timeout =
      options.lock_timeout.empty() ? config.lock_timeout : options.lock_timeout;
  load.migrator.statement_timeout =
      options.statement_timeout.empty() ? config.statement_timeout : options.statement_timeout;
  bench::check_load_options(suite, load);
  report::check_writable(options.out);
  if (report::same_file(options.out, suite.file))
    throw Error(ErrorKind::usage, fmt::format("--out {} is the suite file", options.out),
                "write the results somewhere else");

  auto target = globals.open_target();
  load.run.throwaway_cluster = target.cluster() != nullptr;
  auto session = target.connect("preflight bench load");
  const bool terminal = on_terminal();
  bench::Results results;
  int signal_number = 0;
  {
    bench::InterruptScope interrupt;
    load.interrupted = &interrupt.flag();
    results = bench::run_load(*session, suite, load, [terminal](const bench::RunProgress& p) {
      print_progress(fmt::format("{}: {}", p.step, p.query.empty() ? p.detail : p.query), terminal,
                     false);
    });
    signal_number = interrupt.signal_number();
  }
  save_json(options.out, bench::to_json(results));
  print_line("");
  for (const auto& line : load_table(results)) print_line(line);
  print_line("results: " + options.out);
  if (signal_number != 0) {
    print_warning("interrupted: the partial results were written to " + options.out);
    return 128 + signal_number;
  }
  if (auto failed = failed_expectations(results)) throw *failed;
  return 0;
}

} // namespace

void add_bench_load_command(CLI::App& bench, GlobalOptions& globals, int& exit_code) {
  auto options = std::make_shared<LoadCommandOptions>();
  auto* load = bench.add_subcommand(
      "load", "replay the suite's operations as traffic while its migration runs");
  load->add_option("suite", options->suite, "suite file, e.g. benchmarks/load/focus_sessions.toml")
      ->required();
  load->add_option("--clients", options->clients,
                   "connections (default 8, at least one per "
                   "operation)")
      ->check(CLI::Range(1, 1000));
  load->add_option("--rate", options->rate, "executions per second, all operations (default 200)")
      ->check(finite_positive());
  load->add_option("--before", options->before_s, "seconds of traffic before the migration (5)")
      ->check(CLI::Range(0.0, 86400.0));
  load->add_option("--after", options->after_s, "seconds of traffic after the migration (5)")
      ->check(CLI::Range(0.0, 86400.0));
  load->add_option("--max-operations", options->max_operations,
                   "stop after this many executions (default 1000000)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{100'000'000}));
  load->add_option("--max-duration", options->max_duration_s,
                   "stop the traffic, and cancel the migration, after this many seconds (600)")
      ->check(finite_positive());
  load->add_option("--out", options->out, "results file (default: reports/load.json)");
  load->add_option("--scale", options->scale, "dataset scale factor (default: the suite's)")
      ->check(finite_positive());
  load->add_option("--lock-timeout", options->lock_timeout,
                   "the migration's lock_timeout (default: preflight.toml's)");
  load->add_option("--statement-timeout", options->statement_timeout,
                   "the migration's statement_timeout (default: preflight.toml's)");
  load->add_flag("--allow-dataset", options->allow_dataset,
                 "with --database-url: load the dataset into a database that has tables");
  load->add_flag("--allow-writes", options->allow_writes,
                 "with --database-url: run writes = true queries (each rolled back)");
  load->callback([&, options] { exit_code = run_load_command(globals, *options); });
}

} // namespace preflight::cli
