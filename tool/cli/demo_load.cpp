#include "cli/demo_load.h"

#include <fmt/format.h>

#include "cli/bench_run.h"
#include "cli/output.h"
#include "cli/results_output.h"
#include "core/report/load_claims.h"
#include "io/bench/load_runner.h"
#include "io/bench/suite_file.h"
#include "io/report/report_files.h"

namespace preflight::cli {

namespace {

// Short phases: the story is the migration's few seconds, and the demo runs in tests.
bench::Results run_variant(const pg::DatabaseTarget& target, const config::Config& config,
                           const std::string& suite_file, const std::string& database,
                           const std::string& out) {
  auto suite = bench::load_suite(suite_file);
  target.cluster()->create_database(database);
  auto session =
      pg::PgSession::connect(target.cluster()->conninfo(database), "preflight demo load");
  bench::LoadOptions options;
  options.clients = 5;
  options.rate = 150;
  options.before_s = 1;
  options.after_s = 1;
  options.max_duration_s = 120;
  options.run.throwaway_cluster = true;
  options.run.history_table = config.history_table;
  options.run.history_mode = config.history;
  options.migrator.history_table = config.history_table;
  options.migrator.history_mode = config.history;
  options.migrator.lock_timeout = config.lock_timeout;
  options.migrator.statement_timeout = config.statement_timeout;
  const bool terminal = on_terminal();
  auto results = bench::run_load(*session, suite, options, [terminal](const bench::RunProgress& p) {
    print_progress(fmt::format("{}: {}", p.step, p.query.empty() ? p.detail : p.query), terminal,
                   false);
  });
  save_json(out, bench::to_json(results));
  return results;
}

} // namespace

void run_load_comparison(const pg::DatabaseTarget& target, const config::Config& config) {
  const std::string written_out = "reports/demo/load_as_written.json";
  const std::string concurrent_out = "reports/demo/load_concurrently.json";
  print_line("preflight bench load benchmarks/load/focus_sessions.toml (0003 as written)");
  auto written = run_variant(target, config, "benchmarks/load/focus_sessions.toml",
                             "preflight_load_as_written", written_out);
  print_line("preflight bench load benchmarks/load/focus_sessions_concurrently.toml");
  auto concurrent = run_variant(target, config, "benchmarks/load/focus_sessions_concurrently.toml",
                                "preflight_load_concurrently", concurrent_out);
  print_line("\nThe checklist's claims, against what the traffic measured:");
  for (const auto& c : report::checklist_load_claims(written, concurrent)) {
    print_line(fmt::format("  \"{}\": {}", c.claim, c.borne_out ? "borne out" : "NOT borne out"));
    print_line("    as written:       " + c.as_written);
    print_line("    CONCURRENTLY:     " + c.concurrently);
  }
  const std::string markdown = "reports/demo/load.md";
  report::write_text_file(markdown, report::render_load_comparison(written, concurrent));
  print_line("\nLoad reports written:\n  " + written_out + "\n  " + concurrent_out + "\n  " +
             markdown);
}

} // namespace preflight::cli
