// The HTML report: one file, no network, no JavaScript. Every user-supplied string goes through
// html_escape; charts are inline SVG built by svg_charts.

#include <fmt/format.h>

#include "core/error.h"
#include "core/plan/plan.h"
#include "core/report/load_report.h"
#include "core/report/report.h"
#include "core/report/results_view.h"
#include "core/report/svg_charts.h"
#include "core/text/text.h"

namespace preflight::report {

using text::format_duration_ns;
using text::format_ms;
using text::html_escape;
using text::one_line;

namespace {

constexpr const char* k_style = R"(
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 1100px;
       padding: 0 1em; color: #1c2833; background: #fff; }
h1 { font-size: 1.6em; margin-bottom: .2em; }
h2 { border-bottom: 1px solid #d5d8dc; padding-bottom: .2em; margin-top: 2em; }
table { border-collapse: collapse; margin: .8em 0; }
th, td { border: 1px solid #d5d8dc; padding: .3em .6em; text-align: left; vertical-align: top; }
th { background: #f4f6f7; }
td.num { text-align: right; white-space: nowrap; }
.banner { padding: .7em 1em; border-radius: 6px; font-weight: 600; font-size: 1.1em; }
.pass { background: #d5f5e3; color: #145a32; }
.fail { background: #fadbd8; color: #78281f; }
.info { background: #eaecee; color: #34495e; }
span.pass, span.fail, span.info { padding: .1em .4em; border-radius: 4px; font-weight: 600; }
.query { margin: 1.5em 0; }
.plans { display: flex; flex-wrap: wrap; gap: 2em; }
ul.plan, ul.plan ul { list-style: none; padding-left: 1.2em; margin: 0; }
ul.plan { padding-left: 0; }
ul.plan li { margin: .15em 0; }
.node { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .9em; padding: .05em .3em; border-radius: 3px; }
.node.index { background: #d5f5e3; border: 1px solid #27ae60; font-weight: 600; }
.node.seq { background: #fdebd0; border: 1px solid #e67e22; }
.meta { color: #5d6d7e; font-size: .85em; }
code, pre { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .9em; }
pre { background: #f4f6f7; padding: .6em; overflow-x: auto; white-space: pre-wrap; }
svg.chart { max-width: 100%; height: auto; font-family: system-ui, sans-serif; }
svg .frame { fill: none; stroke: #85929e; }
svg .grid { stroke: #eaecee; }
svg .axisline { stroke: #85929e; }
svg .tick { font-size: 11px; fill: #34495e; }
svg .axis { font-size: 12px; fill: #1c2833; }
svg .legend { font-size: 12px; fill: #1c2833; }
)";

std::string e(const std::string& text) {
  return html_escape(text);
}

std::string plan_tree(const plan::PlanNode& node) {
  std::string cls = "node";
  std::string tag;
  if (node.is_index_access() || node.node_type == "Bitmap Index Scan") {
    cls += " index";
    tag = " <span class=\"meta\">(index)</span>";
  } else if (node.is_seq_scan()) {
    cls += " seq";
    tag = " <span class=\"meta\">(sequential scan)</span>";
  }
  std::string meta;
  if (node.has_actuals) {
    meta = " <span class=\"meta\">" + e(node_actuals(node)) + "</span>";
  }
  std::string out =
      fmt::format("<li><span class=\"{}\">{}</span>{}{}", cls, e(node.label()), tag, meta);
  if (!node.children.empty()) {
    out += "<ul>";
    for (const auto& child : node.children) out += plan_tree(child);
    out += "</ul>";
  }
  return out + "</li>";
}

std::string plan_html(const bench::PhaseResult& phase) {
  std::string out = fmt::format("<div><h4>{}{}</h4>", e(phase.phase),
                                phase.plan_kind.empty() ? ""
                                                        : " <span class=\"meta\">(" +
                                                              e(phase.plan_kind) + " plan)</span>");
  if (phase.explain.is_null()) return out + "<p>No plan recorded.</p></div>";
  try {
    auto p = plan::parse_explain(phase.explain);
    out += "<ul class=\"plan\">" + plan_tree(p.root) + "</ul>";
    if (p.analyzed) {
      out += fmt::format("<p class=\"meta\">Execution {} ms, planning {} ms.</p>",
                         format_ms(p.execution_ms), format_ms(p.planning_ms));
    }
  } catch (const Error& error) {
    out += "<p>Plan not readable: " + e(error.message()) + "</p>";
  }
  return out + "</div>";
}

std::string query_section(const bench::QueryResult& q, const OperationRow& row) {
  std::string out = fmt::format("<section class=\"query\"><h3>{}</h3>\n", e(q.name));
  if (!q.claim.empty()) out += "<p>Documented claim: " + e(q.claim) + "</p>\n";
  std::vector<ChartSeries> series;
  if (row.before) series.push_back({"before", row.before->samples_ms, "#e67e22"});
  if (row.after) series.push_back({"after", row.after->samples_ms, "#2471a3"});
  for (const auto& p : q.phases) {
    if (p.phase != "before" && p.phase != "after")
      series.push_back({p.phase, p.samples_ms, "#7d3c98"});
  }
  out += cdf_chart_svg(series, "Latency distribution of " + q.name + ", before and after");
  for (const auto& p : q.phases) {
    if (!p.sql.empty())
      out += fmt::format("<details><summary>SQL ({})</summary><pre>{}</pre></details>\n",
                         e(p.phase), e(p.sql));
  }
  out += "<div class=\"plans\">";
  for (const auto& p : q.phases) out += plan_html(p);
  return out + "</div></section>\n";
}

std::string migration_html(const bench::MigrationStep& m) {
  std::string out = "<h2 id=\"migration\">Migration applied</h2>\n";
  out +=
      fmt::format("<p>Version {} — {}, applied in {}.<br>Checksum (SHA-384): <code>{}</code></p>\n",
                  m.version, e(m.description), e(format_duration_ns(m.duration_ns)), e(m.checksum));
  if (!m.lock_trace || m.lock_trace->statements.empty()) {
    return out + "<p>No lock trace recorded.</p>\n";
  }
  const auto& trace = m.lock_trace->statements;
  out += lock_timeline_svg(trace);
  out += "<table><tr><th>#</th><th>Line</th><th>Statement</th><th>Duration</th><th>Locks "
         "taken</th><th>Blocks</th></tr>\n";
  std::size_t n = 0;
  for (const auto& s : trace) {
    std::string locks;
    std::string blocks;
    for (const auto& l : s.locks) {
      locks +=
          (locks.empty() ? "" : "<br>") + e(migrate::lock_mode_name(l.mode) + " on " + l.relation);
      blocks += (blocks.empty() ? "" : "<br>") + e(l.relation + ": " + migrate::blocks_text(l));
    }
    out +=
        fmt::format("<tr><td class=\"num\">{}</td><td class=\"num\">{}</td><td><code>{}</code></td>"
                    "<td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>\n",
                    ++n, s.line, e(one_line(s.text, 160)), e(format_duration_ns(s.duration_ns)),
                    locks.empty() ? "none" : locks, blocks.empty() ? "nothing" : blocks);
  }
  return out +
         "</table>\n<p class=\"meta\">Locks are held until the migration's transaction ends.</p>\n";
}

std::string checks_html(const check::CheckReport& checks) {
  std::string out = fmt::format(
      "<h2>Post-deploy checks</h2>\n<p class=\"meta\">{} of {} passed{}.</p>\n<table>\n",
      checks.count(check::CheckStatus::passed), checks.results.size(),
      checks.target.empty() ? "" : " against " + e(checks.target));
  out += "<tr><th>Check</th><th>Kind</th><th>Measured</th><th>Expected</th><th>Verdict</th></tr>\n";
  for (const auto& r : checks.results) {
    const bool passed = r.status == check::CheckStatus::passed;
    const bool skipped = r.status == check::CheckStatus::skipped;
    std::string measured = r.measured;
    if (!passed && !r.detail.empty()) measured += " — " + r.detail;
    out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><span "
                       "class=\"{}\">{}</span></td></tr>\n",
                       e(r.name), e(r.kind), e(measured), e(r.expected),
                       passed    ? "pass"
                       : skipped ? "info"
                                 : "fail",
                       e(check::to_string(r.status)));
  }
  return out + "</table>\n";
}

} // namespace

std::string render_html(const bench::Results& results, const check::CheckReport* checks) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  // No script may run and nothing may be fetched: the file must work offline and as an artifact.
  out += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
         "'unsafe-inline'; "
         "img-src data:\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += fmt::format("<title>Performance report: {}</title>\n<style>{}</style>\n</head>\n<body>\n",
                     e(results.suite_name), k_style);
  out += fmt::format("<h1>Performance report: {}</h1>\n", e(results.suite_name));
  const auto& env = results.environment;
  out += fmt::format(
      "<p class=\"meta\">Suite <code>{}</code>, scale {:g}, seed {}; PostgreSQL {}{}{}.</p>\n",
      e(results.suite_file), results.scale, results.seed, e(env.server_version),
      env.throwaway_cluster && !env.durable ? " on a throwaway cluster without fsync" : "",
      side_by_side_note(results));
  out += fmt::format("<p class=\"banner {}\">{} — {}.</p>\n", results.passed() ? "pass" : "fail",
                     results.passed() ? "PASS" : "FAIL", e(outcome_counts(results)));

  auto rows = operation_rows(results);
  // A `bench load` document has no before/after phases: its own section takes their place.
  const bool before_after = !results.queries.empty();
  out += load_html(results);
  if (before_after) {
    out += "<h2>Latency before and after the "
           "migration</h2>\n<table>\n<tr><th>Operation</th><th>Before</th><th>After</th>"
           "<th>Improvement</th><th>Claim</th><th>Verdict</th></tr>\n";
    for (const auto& row : rows) {
      out += fmt::format(
          "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td>"
          "<td><span class=\"{}\">{}</span></td></tr>\n",
          e(row.query->name), e(latency_text(row.before)), e(latency_text(row.after)),
          e(improvement_text(row.improvement)),
          e(row.query->claim.empty() ? "—" : row.query->claim), row.passed ? "pass" : "fail",
          e(verdict_text(row)));
    }
    out += "</table>\n<p class=\"meta\">Client-side latency of each timed execution; improvement = "
           "median before / "
           "median after, with a 95 % bootstrap interval.</p>\n";
  }

  if (!results.verdicts.empty()) {
    out += "<h2>Expectations</h2>\n<table>\n<tr><th>Operation</th><th>Expectation</th><th>Limit</"
           "th><th>Measured</th>"
           "<th>Verdict</th></tr>\n";
    for (const auto& v : results.verdicts) {
      out +=
          fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><span "
                      "class=\"{}\">{}</span></td></tr>\n",
                      e(v.query), e(verdict_label(v)), e(v.expected), e(v.actual),
                      is_failure(v) ? "fail" : (v.passed ? "pass" : "info"), e(verdict_status(v)));
    }
    out += "</table>\n";
  }

  if (before_after) {
    out += "<h2>Operations: latency distributions and plans</h2>\n";
    for (std::size_t i = 0; i < results.queries.size(); ++i)
      out += query_section(results.queries[i], rows[i]);
  }

  if (results.migration) out += migration_html(*results.migration);
  if (checks) out += checks_html(*checks);

  out += "<h2>Environment</h2>\n<table>\n";
  for (const auto& [label, value] : environment_rows(env)) {
    out += fmt::format("<tr><th>{}</th><td>{}</td></tr>\n", e(label), e(value));
  }
  out += "</table>\n</body>\n</html>\n";
  return out;
}

} // namespace preflight::report
