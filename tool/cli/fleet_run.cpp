#include "cli/fleet_run.h"

#include <CLI/CLI.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <mutex>

#include <fmt/format.h>

#include "cli/output.h"
#include "core/fleet/shard.h"

namespace preflight::cli {

namespace {

// One lock for every line a fleet run prints, so that lines of parallel targets never interleave
// inside a line and the progress line is redrawn below them.
std::mutex g_output;
std::string g_progress; // the live line shown on stderr, "" if none
bool g_terminal = false;

void write_line(std::ostream& stream, const std::string& text) {
  std::lock_guard lock(g_output);
  if (g_terminal && !g_progress.empty()) std::cerr << "\r\033[K" << std::flush;
  stream << text << "\n" << std::flush;
  if (g_terminal && !g_progress.empty()) std::cerr << g_progress << std::flush;
}

void show_progress(const std::string& line) {
  std::lock_guard lock(g_output);
  g_progress = line;
  std::cerr << "\r\033[K" << line << std::flush;
}

void clear_progress() {
  std::lock_guard lock(g_output);
  if (g_terminal && !g_progress.empty()) std::cerr << "\r\033[K" << std::flush;
  g_progress.clear();
}

std::optional<std::string> environment(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

std::int64_t since_ns(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                              start)
      .count();
}

} // namespace

void FleetLog::out(const std::string& target, const std::string& line) {
  write_line(std::cout, "[" + target + "] " + line);
}

void FleetLog::out_lines(const std::string& target, const std::string& text) {
  std::string_view rest = text;
  while (!rest.empty()) {
    const auto end = rest.find('\n');
    out(target, std::string(rest.substr(0, end)));
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
  }
}

void FleetLog::err(const std::string& target, const std::string& line) {
  write_line(std::cerr, "[" + target + "] " + line);
}

void FleetLog::error(const std::string& target, const std::string& detail) {
  std::string_view rest = detail;
  bool first = true;
  while (!rest.empty()) {
    const auto end = rest.find('\n');
    const std::string line(rest.substr(0, end));
    err(target, first && !line.starts_with("hint: ") ? "error: " + line : line);
    first = false;
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
  }
}

void add_fleet_options(CLI::App& command, FleetOptions& options) {
  auto* file = command.add_option(
      "--targets", options.targets_file,
      "run on every target of FILE: one URL a line (named after its database) or name=URL");
  command
      .add_option("--targets-query", options.targets_query,
                  "run on every database the query returns (one column of names), on the "
                  "--database-url server")
      ->excludes(file);
  command
      .add_option("--parallel", options.parallel,
                  fmt::format("targets at a time (default {}, at most {})", k_default_parallel,
                              fleet::k_max_parallel))
      ->check(CLI::Range(std::size_t{1}, fleet::k_max_parallel));
  command.add_option("--shard", options.shard,
                     "i/n: only this runner's stable share of the targets; auto: from the CI or "
                     "Kubernetes environment (docs/fleets.md)");
  command
      .add_option("--canary", options.canary,
                  "run this many targets first; stop if any of them fails")
      ->check(CLI::Range(std::size_t{0}, fleet::k_max_targets));
  auto* max = command
                  .add_option("--max-failures", options.max_failures,
                              "start no more targets after this many failed (default: no limit)")
                  ->check(CLI::Range(std::size_t{1}, fleet::k_max_targets));
  command
      .add_flag("--fail-fast", options.fail_fast,
                "start no more targets after the first failure (--max-failures 1)")
      ->excludes(max);
}

bool is_fleet_run(const FleetOptions& options, const GlobalOptions& globals,
                  const config::Config& config) {
  if (options.targets_file || options.targets_query) return true;
  return !config.targets.empty() && !globals.database_url && !globals.ephemeral;
}

void check_single_target_format(const std::string& format) {
  if (format == "github" || format == "junit") {
    throw Error(ErrorKind::usage,
                fmt::format("--format {} reports one entry per target: it needs --targets, "
                            "--targets-query or [[target]] in preflight.toml",
                            format));
  }
}

fleet::FleetReport run_fleet(const CommandContext& context, const GlobalOptions& globals,
                             const FleetOptions& options, const std::string& command,
                             const fleet::TargetJob& job) {
  const auto start = std::chrono::steady_clock::now();
  // Every option is checked before the first connection.
  std::optional<fleet::Shard> shard;
  if (options.shard == "auto") {
    shard = fleet::shard_from_environment(environment);
  } else if (!options.shard.empty()) {
    shard = fleet::parse_shard(options.shard);
  }
  fleet::TargetSource source{options.targets_file, options.targets_query, globals.target_request()};
  auto targets = fleet::resolve_targets(source, context.config(), globals.config_path);

  fleet::FleetReport report;
  report.command = command;
  report.fleet_size = targets.size();
  if (shard) {
    targets = fleet::shard_targets(std::move(targets), *shard);
    report.shard = shard->to_string();
  }
  fleet::RunnerOptions runner;
  runner.parallel = options.parallel;
  runner.policy.canary = options.canary;
  runner.policy.max_failures =
      options.fail_fast ? std::optional<std::size_t>(1) : options.max_failures;
  report.parallel = std::min(options.parallel, std::max<std::size_t>(targets.size(), 1));

  // A target that does not answer must not hold a worker forever: libpq waits without limit by
  // default. A target's own connect_timeout, or PGCONNECT_TIMEOUT, still wins.
  setenv("PGCONNECT_TIMEOUT", "10", 0);
  g_terminal = isatty(STDERR_FILENO) != 0;
  const std::size_t total = targets.size();
  const auto progress = [&](const fleet::TargetOutcome& outcome, std::size_t finished,
                            std::size_t running, std::size_t failed) {
    if (outcome.result != fleet::TargetResult::ok) FleetLog::error(outcome.name, outcome.detail);
    if (g_terminal) {
      show_progress(fmt::format("{}: {}/{} targets done, {} running, {} failed", command, finished,
                                total, running, failed));
    }
  };
  report.targets = fleet::run_targets(targets, runner, job, progress, report.stop_reason);
  clear_progress();
  report.duration_ns = since_ns(start);
  return report;
}

void print_fleet_report(const fleet::FleetReport& report, const std::string& format) {
  if (format == "json") {
    print_json(fleet::to_json(report));
  } else if (format == "junit") {
    print_text(fleet::render_junit(report));
  } else if (format == "github") {
    print_text(fleet::render_github(report));
    print_text(fleet::render_table(report));
  } else {
    print_text(fleet::render_table(report));
  }
}

void print_fleet_failures(const fleet::FleetReport& report) {
  std::vector<Error> problems;
  for (auto [result, what] :
       {std::pair{fleet::TargetResult::history_mismatch, "history does not match the files"},
        std::pair{fleet::TargetResult::failed, "failed"},
        std::pair{fleet::TargetResult::skipped, "were not started"}}) {
    std::vector<std::string> names;
    for (const auto& t : report.targets) {
      if (t.result == result) names.push_back(t.name);
    }
    if (names.empty()) continue;
    const std::size_t shown = std::min<std::size_t>(names.size(), 20);
    std::string list;
    for (std::size_t i = 0; i < shown; ++i) list += (i ? ", " : "") + names[i];
    if (shown < names.size()) list += fmt::format(" and {} more", names.size() - shown);
    problems.emplace_back(
        result == fleet::TargetResult::history_mismatch ? ErrorKind::history : ErrorKind::problem,
        fmt::format("{} of {} target{} {}: {}", names.size(), report.targets.size(),
                    report.targets.size() == 1 ? "" : "s", what, list),
        result == fleet::TargetResult::skipped ? report.stop_reason : std::string{});
  }
  if (!problems.empty()) print_error(Error::combine(std::move(problems)));
}

} // namespace preflight::cli
