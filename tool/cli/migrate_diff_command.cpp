// `preflight migrate diff [--to V] [--format text|json|md] [--ignore PATTERN…] [--sql]
// [--comments]`: does the live schema match what the migrations produce?

#include <CLI/CLI.hpp>

#include <fmt/format.h>

#include "cli/migrate_subcommands.h"
#include "cli/output.h"
#include "core/drift/render.h"
#include "core/lint/lint_config.h"
#include "core/lint/linter.h"
#include "core/report/lint_report.h"
#include "io/drift/drift_run.h"
#include "io/migrate/layout_directory.h"

namespace preflight::cli {

namespace {

struct DiffOptions {
  std::optional<std::int64_t> to;
  std::string format = "text";
  std::vector<std::string> ignore;
  bool sql = false;
  bool comments = false;
};

const char* k_script_path = "migrate-diff.sql";

// The --sql statements go through `preflight lint`'s rules, with preflight.toml's [lint] levels.
std::vector<lint::Finding> lint_script(const lint::LintConfig& config, const std::string& script) {
  lint::LintMigration migration{0, migrate::Script{k_script_path, script, true}, std::nullopt};
  return lint::lint_migrations({migration}, config);
}

int run_diff(GlobalOptions& globals, const DiffOptions& options) {
  // Everything the user gave is checked before a server is touched.
  auto config = globals.load_config();
  drift::DriftRequest request;
  request.history_table = config.history_table;
  request.to = options.to;
  request.compare.comments = options.comments;
  for (const auto& text : options.ignore) request.compare.ignore.emplace_back(text);
  auto files = migrate::load_layout_migrations(config.migrations, config.layout);
  drift::check_target_version(files, options.to);

  auto target = globals.open_target();
  auto live = target.connect("preflight migrate diff");
  auto result = drift::run_drift(*live, files, request, [](const std::string& line) {
    print_progress("preflight: " + line, false, false);
  });
  result.summary.target = target.display();
  for (const auto& w : result.warnings) print_warning(w);

  std::string script;
  std::vector<lint::Finding> findings;
  if (options.sql) {
    script = drift::fix_script(result.differences);
    findings = lint_script(config.lint, script);
  }
  if (options.format == "json") {
    print_json(drift::render_json(result.differences, result.summary, result.timings,
                                  options.sql ? &script : nullptr,
                                  options.sql ? &findings : nullptr));
  } else if (options.format == "md") {
    std::string text = drift::render_markdown(result.differences, result.summary);
    if (options.sql) text += "\n```sql\n" + script + "```\n";
    print_text(text);
  } else {
    print_text(drift::render_text(result.differences, result.summary));
  }
  if (options.sql && options.format != "json") {
    if (options.format == "text") print_text("\n" + script);
    print_line(
        fmt::format("-- preflight lint on these statements: {}", lint::summary_line(findings, 1)));
    for (const auto& line : lint::render_text(findings)) print_line("-- " + line);
  }
  return result.differences.empty() ? 0 : 1;
}

} // namespace

void add_migrate_diff_command(CLI::App& migrate, GlobalOptions& globals, int& exit_code) {
  auto options = std::make_shared<DiffOptions>();
  auto* diff = migrate.add_subcommand(
      "diff", "compare the database's schema with what its migrations produce (read-only)");
  diff->add_option("--to", options->to,
                   "expect the schema of the migrations up to this version (default: the version "
                   "the database records)");
  diff->add_option("--format", options->format, "text, json or md")
      ->check(CLI::IsMember({"text", "json", "md"}));
  diff->add_option("--ignore", options->ignore,
                   "leave out objects whose qualified name (or table's) matches this glob, e.g. "
                   "'public.tmp_*'; repeatable");
  diff->add_flag("--sql", options->sql,
                 "print the statements that would bring the database to the expected schema, "
                 "linted (never run)");
  diff->add_flag("--comments", options->comments, "compare COMMENT ON texts too");
  diff->callback([&, options] { exit_code = run_diff(globals, *options); });
}

} // namespace preflight::cli
