#pragma once
// The fleet side of a command: `--targets FILE | --targets-query SQL` (or [[target]] in
// preflight.toml), `--parallel`, `--shard`, `--canary`, `--max-failures`, `--fail-fast`; runs a
// per-target job over the fleet with prefixed live output, and prints the report.

#include <cstddef>
#include <optional>
#include <string>

#include "cli/command_context.h"
#include "core/fleet/fleet_report.h"
#include "io/fleet/fleet_runner.h"

namespace CLI {
class App;
}

namespace preflight::cli {

/// The default --parallel: targets are I/O-bound (most of a target's time is round trips and
/// server work), so a few more than the cores, but few enough not to crowd the servers.
inline constexpr std::size_t k_default_parallel = 4;

struct FleetOptions {
  std::optional<std::string> targets_file;  // --targets
  std::optional<std::string> targets_query; // --targets-query
  std::size_t parallel = k_default_parallel;
  std::string shard; // "i/n", "auto" or "" (the whole fleet)
  std::size_t canary = 0;
  std::optional<std::size_t> max_failures;
  bool fail_fast = false;
};

/// Adds the fleet options to `command`.
void add_fleet_options(CLI::App& command, FleetOptions& options);

/// True if the run goes over a fleet: --targets, --targets-query, or [[target]] in the
/// configuration without --database-url (which names one database for a one-off run).
bool is_fleet_run(const FleetOptions& options, const GlobalOptions& globals,
                  const config::Config& config);

/// Prints a target's lines with its `[name] ` prefix, one line at a time, keeping the live
/// progress line (stderr on a terminal) below them.
class FleetLog {
public:
  /// A line on stdout, prefixed.
  static void out(const std::string& target, const std::string& line);
  /// Each line of `text` on stdout, prefixed.
  static void out_lines(const std::string& target, const std::string& text);
  /// A line on stderr, prefixed.
  static void err(const std::string& target, const std::string& line);
  /// Prints a failed target's error on stderr: "[name] error: …" and its hint lines.
  static void error(const std::string& target, const std::string& detail);
};

/// Resolves and shards the fleet, runs `job` on each target under the rollout options, and
/// returns the report (printing nothing but progress and what `job` prints). Throws Error(usage
/// or input) before connecting to any target when an option or the list is wrong.
fleet::FleetReport run_fleet(const CommandContext& context, const GlobalOptions& globals,
                             const FleetOptions& options, const std::string& command,
                             const fleet::TargetJob& job);

/// Prints the report as `format` (text: the table; json; github; junit) on stdout.
void print_fleet_report(const fleet::FleetReport& report, const std::string& format);

/// On stderr, as main prints errors: which targets failed or mismatch, when any did.
void print_fleet_failures(const fleet::FleetReport& report);

/// Refuses --format github|junit outside a fleet run (they report one entry per target).
void check_single_target_format(const std::string& format);

} // namespace preflight::cli
