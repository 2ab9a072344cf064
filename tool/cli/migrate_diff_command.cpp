// `preflight migrate diff [--to V] [--format text|json|md] [--ignore PATTERN…] [--sql]
// [--comments]`: does the live schema match what the migrations produce? On one database, or on
// each target of a fleet (`--targets …`), where a target that drifted fails.

#include <CLI/CLI.hpp>

#include <fmt/format.h>

#include "cli/fleet_run.h"
#include "cli/migrate_history.h"
#include "cli/migrate_subcommands.h"
#include "cli/output.h"
#include "core/drift/render.h"
#include "core/lint/lint_config.h"
#include "core/lint/linter.h"
#include "core/migrate/version_argument.h"
#include "core/report/lint_report.h"
#include "io/drift/drift_run.h"

namespace preflight::cli {

namespace {

struct DiffOptions {
  std::optional<std::string> to_argument; // --to as given
  std::optional<std::int64_t> to;         // --to resolved against the files
  std::string format = "text";
  std::vector<std::string> ignore;
  bool sql = false;
  bool comments = false;
  FleetOptions fleet;
};

const char* k_script_path = "migrate-diff.sql";

// The --sql statements go through `preflight lint`'s rules, with preflight.toml's [lint] levels.
std::vector<lint::Finding> lint_script(const lint::LintConfig& config, const std::string& script) {
  lint::LintMigration migration{0, migrate::Script{k_script_path, script, true}, std::nullopt};
  return lint::lint_migrations({migration}, config);
}

drift::DriftRequest drift_request(const CommandContext& context, const TargetConnection& cx,
                                  const DiffOptions& options) {
  drift::DriftRequest request;
  request.history = history_setting(context, cx);
  request.to = options.to;
  request.compare.comments = options.comments;
  for (const auto& text : options.ignore) request.compare.ignore.emplace_back(text);
  return request;
}

// The --sql script and its lint findings, when asked for.
struct FixScript {
  std::string sql;
  std::vector<lint::Finding> findings;
};

FixScript fix_script(const CommandContext& context, const drift::DriftResult& result) {
  FixScript fix;
  fix.sql = drift::fix_script(result.differences);
  fix.findings = lint_script(context.config().lint, fix.sql);
  return fix;
}

std::vector<std::string> fix_script_lines(const FixScript& fix) {
  std::vector<std::string> lines{fmt::format("-- preflight lint on these statements: {}",
                                             lint::summary_line(fix.findings, 1))};
  for (const auto& line : lint::render_text(fix.findings)) lines.push_back("-- " + line);
  return lines;
}

int run_one(const CommandContext& context, const DiffOptions& options) {
  auto cx = context.connect("preflight migrate diff");
  auto result = drift::run_drift(
      *cx.session, context.files(), drift_request(context, cx, options),
      [](const std::string& line) { print_progress("preflight: " + line, false, false); });
  result.summary.target = cx.display;
  for (const auto& w : result.warnings) print_warning(w);

  std::optional<FixScript> fix;
  if (options.sql) fix = fix_script(context, result);
  if (options.format == "json") {
    print_json(drift::render_json(result.differences, result.summary, result.timings,
                                  fix ? &fix->sql : nullptr, fix ? &fix->findings : nullptr));
  } else if (options.format == "md") {
    std::string text = drift::render_markdown(result.differences, result.summary);
    if (fix) text += "\n```sql\n" + fix->sql + "```\n";
    print_text(text);
  } else {
    print_text(drift::render_text(result.differences, result.summary));
  }
  if (fix && options.format != "json") {
    if (options.format == "text") print_text("\n" + fix->sql);
    for (const auto& line : fix_script_lines(*fix)) print_line(line);
  }
  return result.differences.empty() ? 0 : 1;
}

// One target of `migrate diff --targets`: its differences prefixed by its name; it fails when
// its schema drifted, and mismatches when its history does not match the files.
fleet::TargetOutcome diff_target(const CommandContext& context, const DiffOptions& options,
                                 const config::TargetSpec& target) {
  auto cx = context.connect(target, "preflight migrate diff");
  auto request = drift_request(context, cx, options);
  request.schema = target.schema;
  auto result = drift::run_drift(*cx.session, context.files(), request);
  result.summary.target = target.name;
  for (const auto& w : result.warnings) FleetLog::err(target.name, "warning: " + w);

  fleet::TargetOutcome outcome;
  outcome.from_version = outcome.to_version = result.summary.version;
  outcome.from_text = outcome.to_text = result.summary.version_text;
  const auto count = result.differences.size();
  outcome.changed = count;
  const bool text = options.format == "text" || options.format == "github";
  if (count == 0) {
    outcome.result = fleet::TargetResult::ok;
    outcome.summary = fmt::format("no drift at version {}",
                                  context.files().shown_version(result.summary.version));
    if (text) FleetLog::out(target.name, outcome.summary);
    return outcome;
  }
  outcome.result = fleet::TargetResult::failed;
  outcome.summary =
      fmt::format("{} difference{} from the schema of version {}", count, count == 1 ? "" : "s",
                  context.files().shown_version(result.summary.version));
  std::string detail = drift::render_text(result.differences, result.summary);
  if (options.sql) {
    const auto fix = fix_script(context, result);
    detail += "\n" + fix.sql;
    for (const auto& line : fix_script_lines(fix)) detail += line + "\n";
  }
  // Printed once: on stdout with the target's lines, or in the report's entry for the target.
  if (text) FleetLog::out_lines(target.name, detail);
  outcome.detail = text ? outcome.summary : outcome.summary + "\n" + detail;
  return outcome;
}

int run_diff(GlobalOptions& globals, DiffOptions options) {
  // Everything the user gave is checked before a server is touched.
  CommandContext context(globals, MigrationFiles::checked);
  if (options.to_argument) {
    options.to =
        migrate::version_argument(context.files(), context.layout(), *options.to_argument, "--to");
  }
  drift::check_target_version(context.files(), options.to);
  if (!is_fleet_run(options.fleet, globals, context.config())) {
    check_single_target_format(options.format);
    return run_one(context, options);
  }
  if (options.format == "md") {
    throw Error(ErrorKind::usage, "--format md reports one database, not a fleet",
                "over a fleet use text, json, github or junit (one entry per target)");
  }
  auto report = run_fleet(
      context, globals, options.fleet, "migrate diff",
      [&](const config::TargetSpec& target) { return diff_target(context, options, target); });
  print_fleet_report(report, options.format);
  print_fleet_failures(report);
  return fleet::exit_code(report);
}

} // namespace

void add_migrate_diff_command(CLI::App& migrate, GlobalOptions& globals, int& exit_code) {
  auto options = std::make_shared<DiffOptions>();
  auto* diff = migrate.add_subcommand(
      "diff", "compare the database's schema with what its migrations produce (read-only)");
  diff->add_option("--to", options->to_argument,
                   "expect the schema of the migrations up to this version (default: the version "
                   "the database records)");
  diff->add_option("--format", options->format,
                   "text, json or md; over a fleet text, json, github or junit")
      ->check(CLI::IsMember({"text", "json", "md", "github", "junit"}));
  diff->add_option("--ignore", options->ignore,
                   "leave out objects whose qualified name (or table's) matches this glob, e.g. "
                   "'public.tmp_*'; repeatable");
  diff->add_flag("--sql", options->sql,
                 "print the statements that would bring the database to the expected schema, "
                 "linted (never run)");
  diff->add_flag("--comments", options->comments, "compare COMMENT ON texts too");
  add_fleet_options(*diff, options->fleet);
  diff->callback([&, options] { exit_code = run_diff(globals, *options); });
}

} // namespace preflight::cli
