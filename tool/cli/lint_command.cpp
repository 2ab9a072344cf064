// `preflight lint [PATH...]`: migration safety findings from PostgreSQL's own parser.

#include <CLI/CLI.hpp>

#include "cli/app.h"
#include "cli/output.h"
#include "core/lint/lint_config.h"
#include "core/lint/linter.h"
#include "core/report/lint_report.h"
#include "io/lint/lint_sources.h"

namespace preflight::cli {

namespace {

struct LintOptions {
  std::vector<std::string> paths;
  std::string format = "text";
};

void print_findings(const std::vector<lint::Finding>& findings, std::size_t files,
                    const std::string& format) {
  if (format == "json") {
    print_json(lint::render_json(findings));
  } else if (format == "sarif") {
    print_json(lint::render_sarif(findings, PREFLIGHT_VERSION));
  } else if (format == "github") {
    for (const auto& line : lint::render_github(findings)) print_line(line);
  } else {
    for (const auto& line : lint::render_text(findings)) print_line(line);
    print_line("preflight lint: " + lint::summary_line(findings, files));
  }
}

int run_lint(const GlobalOptions& globals, const LintOptions& options) {
  auto config = globals.load_config();
  const auto& lint_config = config.lint;
  auto paths = options.paths.empty() ? std::vector<std::string>{config.migrations} : options.paths;
  auto sources = lint::load_lint_sources(paths, config.layout);
  for (const auto& problem : sources.down_problems) {
    print_warning(problem.headline() + " (this down script cannot run; the rest is linted)");
  }
  auto findings = lint::lint_migrations(sources.migrations, lint_config);
  print_findings(findings, sources.files, options.format);
  return lint::has_errors(findings) ? 1 : 0;
}

} // namespace

void add_lint_command(CLI::App& app, GlobalOptions& globals, int& exit_code) {
  auto options = std::make_shared<LintOptions>();
  auto* lint = app.add_subcommand(
      "lint", "check migrations for lock hazards and breaking changes (no database)");
  lint->add_option("paths", options->paths,
                   "migration folders or .sql files (default: the migrations folder)");
  lint->add_option("--format", options->format, "text, json, github or sarif")
      ->check(CLI::IsMember({"text", "json", "github", "sarif"}));
  lint->callback([&, options] { exit_code = run_lint(globals, *options); });
}

} // namespace preflight::cli
