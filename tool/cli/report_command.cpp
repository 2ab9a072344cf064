// `preflight report RESULTS.json --format md|html|junit [-o FILE]`.

#include <CLI/CLI.hpp>

#include <optional>

#include <fmt/format.h>

#include "cli/app.h"
#include "cli/output.h"
#include "core/report/report.h"
#include "io/report/report_files.h"

namespace preflight::cli {

namespace {

struct ReportOptions {
  std::string results;
  std::string format = "md";
  std::string out;    // empty: stdout
  std::string checks; // results of `preflight check --format json`, optional
};

int run_report(const ReportOptions& options) {
  for (const auto& input : {options.results, options.checks}) {
    if (!options.out.empty() && !input.empty() && report::same_file(options.out, input)) {
      throw Error(
          ErrorKind::usage,
          fmt::format("-o {} is an input of the report: it would be overwritten", options.out),
          "write the report somewhere else");
    }
  }
  auto results = report::read_results_file(options.results);
  std::optional<check::CheckReport> checks;
  if (!options.checks.empty()) checks = report::read_check_results_file(options.checks);
  const check::CheckReport* with_checks = checks ? &*checks : nullptr;
  std::string text;
  if (options.format == "html") {
    text = report::render_html(results, with_checks);
  } else if (options.format == "junit") {
    text = report::render_junit(results, with_checks);
  } else {
    text = report::render_markdown(results, with_checks);
  }
  if (options.out.empty()) {
    print_line(text.empty() || text.back() != '\n' ? text : text.substr(0, text.size() - 1));
  } else {
    report::write_text_file(options.out, text);
    print_line("wrote " + options.out);
  }
  // The report is the product here; whether the run passed is `bench run`'s and the gate's call.
  return 0;
}

} // namespace

void add_report_command(CLI::App& app, GlobalOptions&, int& exit_code) {
  auto options = std::make_shared<ReportOptions>();
  auto* report =
      app.add_subcommand("report", "write a report of a results file: Markdown, HTML or JUnit XML");
  report->add_option("results", options->results, "results file written by `preflight bench run`")
      ->required();
  report->add_option("--format", options->format, "md (default), html or junit")
      ->check(CLI::IsMember({"md", "html", "junit"}));
  report->add_option("-o,--out", options->out, "write to this file instead of stdout");
  report->add_option(
      "--checks", options->checks,
      "also include post-deploy check results (`preflight check --format json` output)");
  report->callback([&exit_code, options] { exit_code = run_report(*options); });
}

} // namespace preflight::cli
