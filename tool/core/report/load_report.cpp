#include "core/report/load_report.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/text/text.h"

namespace preflight::report {

using text::html_escape;
using text::markdown_cell;
using text::one_line;

namespace {

constexpr double k_width = 640;
constexpr double k_height = 240;
constexpr double k_left = 56;
constexpr double k_right = 56;
constexpr double k_top = 30;
constexpr double k_bottom = 40;

std::string ms(double value) {
  return value < 10 ? fmt::format("{:.2f}", value) : fmt::format("{:.0f}", value);
}

std::string errors_text(const bench::LoadOperation& op) {
  std::string out;
  for (const auto& [kind, count] : op.errors)
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", count, kind);
  return out.empty() ? "none" : out;
}

double step_for(double range) {
  const double raw = range / 6;
  const double power = std::pow(10.0, std::floor(std::log10(std::max(raw, 1e-9))));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * power >= raw) return m * power;
  }
  return 10 * power;
}

} // namespace

std::string load_statement_label(const bench::LoadRun& run, int index) {
  if (index < 0 || index >= static_cast<int>(run.statements.size()))
    return "(between the migration's statements)";
  const auto& s = run.statements[static_cast<std::size_t>(index)];
  return fmt::format("{}:{} {}", s.file, s.line, one_line(s.text, 80));
}

std::string load_timeline_svg(const bench::LoadRun& run, const bench::LoadOperation& op) {
  const double plot_w = k_width - k_left - k_right;
  const double plot_h = k_height - k_top - k_bottom;
  const double duration = std::max(run.duration_s, 0.1);
  const double bucket_s = run.bucket_ms / 1000;
  double hi_ms = 1;
  double lo_ms = 1e9;
  double max_rate = 1;
  for (const auto& b : op.timeline) {
    if (b.operations == 0) continue;
    hi_ms = std::max(hi_ms, b.p99_ms);
    lo_ms = std::min(lo_ms, b.p50_ms > 0 ? b.p50_ms : b.p99_ms);
    max_rate = std::max(max_rate, static_cast<double>(b.operations) / bucket_s);
  }
  const double log_lo = std::floor(std::log10(std::max(std::min(lo_ms, hi_ms), 0.01)));
  const double log_hi = std::max(log_lo + 1, std::ceil(std::log10(hi_ms)));
  auto x_of = [&](double s) { return k_left + s / duration * plot_w; };
  auto y_ms = [&](double v) {
    const double l = std::clamp(std::log10(std::max(v, 1e-6)), log_lo, log_hi);
    return k_top + (1 - (l - log_lo) / (log_hi - log_lo)) * plot_h;
  };
  auto y_rate = [&](double r) { return k_top + (1 - r / (max_rate * 1.1)) * plot_h; };

  std::string out = fmt::format(
      "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\" "
      "xmlns=\"http://www.w3.org/2000/svg\"><title>{2}: p99 latency and throughput while the "
      "migration ran</title>\n",
      k_width, k_height, html_escape(op.name));
  // Bands first, so the lines are drawn over them.
  for (std::size_t i = 0; i < run.statements.size(); ++i) {
    const auto& s = run.statements[i];
    const double x = x_of(s.start_s);
    const double w = std::max(1.0, x_of(s.end_s) - x);
    out += fmt::format("<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" "
                       "fill=\"{}\" opacity=\"0.35\"><title>{}</title></rect>\n",
                       x, k_top, w, plot_h, s.failed ? "#e06666" : "#f6b26b",
                       html_escape(fmt::format("{:.2f}-{:.2f} s {}", s.start_s, s.end_s,
                                               load_statement_label(run, static_cast<int>(i)))));
    if (w > 24) {
      out +=
          fmt::format("<text x=\"{:.1f}\" y=\"{}\" class=\"tick\">{}:{}</text>\n", x + 2,
                      k_top + 12, html_escape(s.file.substr(s.file.find_last_of('/') + 1)), s.line);
    }
  }
  out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" class=\"frame\"/>\n",
                     k_left, k_top, plot_w, plot_h);
  for (double e = log_lo; e <= log_hi; ++e) {
    const double v = std::pow(10.0, e);
    out += fmt::format(
        "<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" class=\"grid\"/>"
        "<text x=\"{3}\" y=\"{4:.1f}\" class=\"tick\" text-anchor=\"end\">{5:g}</text>\n",
        k_left, y_ms(v), k_left + plot_w, k_left - 6, y_ms(v) + 4, v);
  }
  const double rate_step = step_for(max_rate * 1.1);
  for (double r = 0; r <= max_rate * 1.1; r += rate_step) {
    out += fmt::format("<text x=\"{}\" y=\"{:.1f}\" class=\"tick\">{:g}</text>\n",
                       k_left + plot_w + 6, y_rate(r) + 4, r);
  }
  const double time_step = step_for(duration);
  for (double t = 0; t <= duration; t += time_step) {
    out += fmt::format(
        "<text x=\"{:.1f}\" y=\"{}\" class=\"tick\" text-anchor=\"middle\">{:g}</text>\n", x_of(t),
        k_top + plot_h + 16, t);
  }
  out += fmt::format("<text x=\"{}\" y=\"{}\" class=\"axis\" text-anchor=\"middle\">seconds since "
                     "the traffic started</text>\n",
                     k_left + plot_w / 2, k_height - 6);
  out += fmt::format("<text x=\"14\" y=\"{0}\" class=\"axis\" text-anchor=\"middle\" "
                     "transform=\"rotate(-90 14 {0})\">p99 ms (log)</text>\n",
                     k_top + plot_h / 2);
  out += fmt::format("<text x=\"{1}\" y=\"{0}\" class=\"axis\" text-anchor=\"middle\" "
                     "transform=\"rotate(90 {1} {0})\">executions/s</text>\n",
                     k_top + plot_h / 2, k_width - 8);
  std::string latency, rate;
  for (const auto& b : op.timeline) {
    const double mid = b.start_s + bucket_s / 2;
    rate += fmt::format("{:.1f},{:.1f} ", x_of(mid),
                        y_rate(static_cast<double>(b.operations) / bucket_s));
    if (b.operations > 0) latency += fmt::format("{:.1f},{:.1f} ", x_of(mid), y_ms(b.p99_ms));
  }
  out += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"#6fa8dc\" stroke-width=\"1\" "
                     "stroke-dasharray=\"3 2\"/>\n",
                     rate);
  out += fmt::format(
      "<polyline points=\"{}\" fill=\"none\" stroke=\"#cc0000\" stroke-width=\"2\"/>\n", latency);
  out += fmt::format(
      "<rect x=\"{}\" y=\"8\" width=\"14\" height=\"4\" fill=\"#cc0000\"/>"
      "<text x=\"{}\" y=\"14\" class=\"legend\">p99 latency from scheduled start</text>"
      "<rect x=\"{}\" y=\"8\" width=\"14\" height=\"4\" fill=\"#6fa8dc\"/>"
      "<text x=\"{}\" y=\"14\" class=\"legend\">throughput</text>"
      "<rect x=\"{}\" y=\"6\" width=\"14\" height=\"8\" fill=\"#f6b26b\" opacity=\"0.35\"/>"
      "<text x=\"{}\" y=\"14\" class=\"legend\">migration statement</text>\n",
      k_left, k_left + 18, k_left + 230, k_left + 248, k_left + 330, k_left + 348);
  return out + "</svg>\n";
}

std::string load_timeline_text(const bench::LoadRun& run, const bench::LoadOperation& op) {
  static const char* k_levels[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  // Several buckets per character on long runs, so a line stays under ~100 characters.
  const std::size_t per = std::max<std::size_t>(1, (op.timeline.size() + 99) / 100);
  double hi = 1;
  for (const auto& b : op.timeline) hi = std::max(hi, b.p99_ms);
  const double log_hi = std::log10(hi);
  std::string latency, migration, axis;
  const double bucket_s = run.bucket_ms / 1000;
  for (std::size_t i = 0; i < op.timeline.size(); i += per) {
    double p99 = 0;
    std::int64_t count = 0;
    for (std::size_t j = i; j < std::min(i + per, op.timeline.size()); ++j) {
      p99 = std::max(p99, op.timeline[j].p99_ms);
      count += op.timeline[j].operations;
    }
    if (count == 0) {
      latency += "·";
    } else {
      // 0.1 ms and below is the lowest level; each level above it a step of the log scale.
      const double l = std::clamp((std::log10(std::max(p99, 0.1)) + 1) / (log_hi + 1), 0.0, 1.0);
      latency += k_levels[static_cast<int>(std::lround(l * 7))];
    }
    const double from = op.timeline[i].start_s;
    const double to = from + bucket_s * static_cast<double>(per);
    bool busy = false;
    for (const auto& s : run.statements) busy = busy || (s.start_s < to && s.end_s > from);
    migration += busy ? "█" : " ";
    const std::size_t column = i / per;
    if (column % 10 == 0) {
      const std::string label = fmt::format("{:g}s", from);
      axis += label;
      axis += std::string(label.size() < 10 ? 10 - label.size() : 0, ' ');
    }
  }
  while (!axis.empty() && axis.back() == ' ') axis.pop_back();
  return fmt::format("p99       {}\nmigration {}\ntime      {}\n", latency, migration, axis);
}

std::string load_markdown(const bench::Results& results) {
  if (!results.load) return {};
  const auto& run = *results.load;
  std::string out = "## Migration under traffic\n\n";
  out +=
      fmt::format("{:g} executions/s asked for ({:.1f}/s achieved) on {} connections, open loop; "
                  "{:g} s before the migration, {:g} s after. Latency counts from each "
                  "execution's scheduled start; service time from when it was sent. "
                  "Stopped: {}.\n\n",
                  run.rate, run.achieved_rate, run.clients, run.before_s, run.after_s,
                  markdown_cell(run.stop_reason));
  if (run.migration_start_s) {
    out += fmt::format("Migration {} ran from {:.2f} s to {:.2f} s: {}.\n\n",
                       results.migration ? results.migration->version : 0, *run.migration_start_s,
                       run.migration_end_s.value_or(0), markdown_cell(run.migration_outcome));
  } else {
    out += "Migration: " + markdown_cell(run.migration_outcome) + ".\n\n";
  }
  out += "| Operation | Phase | Executed | Errors | Per second | p50 ms | p99 ms | Max ms |\n"
         "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n";
  for (const auto& op : run.operations) {
    for (const auto& p : op.phases) {
      out += fmt::format("| {} | {} | {} | {} | {:.1f} | {} | {} | {} |\n", markdown_cell(op.name),
                         p.phase, p.operations, p.errors, p.throughput,
                         p.operations ? ms(p.p50_ms) : "—", p.operations ? ms(p.p99_ms) : "—",
                         p.operations ? ms(p.max_ms) : "—");
    }
  }
  out +=
      "\n| Operation | Longest stall | Blocked in total | Errors |\n| --- | ---: | ---: | --- |\n";
  for (const auto& op : run.operations) {
    out += fmt::format("| {} | {} ms | {} ms | {} |\n", markdown_cell(op.name),
                       ms(op.longest_stall_ms), ms(op.blocked_ms), markdown_cell(errors_text(op)));
  }
  out += "\n### Statements that blocked the traffic\n\n";
  if (run.blocking.empty()) {
    out += "No traffic waited for a lock the migration held.\n\n";
  } else {
    out += "| Statement | Operation | Waited | For |\n| --- | --- | ---: | --- |\n";
    for (const auto& b : run.blocking) {
      out += fmt::format("| {} | {} | {} ms | {} on {} |\n",
                         markdown_cell(load_statement_label(run, b.statement)),
                         markdown_cell(b.operation), ms(b.blocked_ms), markdown_cell(b.mode),
                         markdown_cell(b.relation.empty() ? "a row" : b.relation));
    }
    out += "\n";
  }
  out += "### Timelines\n\nOne character per 100 ms (or more on long runs): the height is the p99 "
         "latency on a log scale, `·` no execution finished; `█` on the migration row: a statement "
         "ran.\n\n";
  for (const auto& op : run.operations) {
    out += fmt::format("**{}**\n\n```text\n{}```\n\n", markdown_cell(op.name),
                       load_timeline_text(run, op));
  }
  return out;
}

std::string load_html(const bench::Results& results) {
  if (!results.load) return {};
  const auto& run = *results.load;
  std::string out = "<h2>Migration under traffic</h2>\n";
  out += fmt::format("<p class=\"meta\">{:g} executions/s asked for ({:.1f}/s achieved) on {} "
                     "connections, open loop; {:g} s before the migration, {:g} s after; latency "
                     "from each execution's scheduled start. Migration: {}. Stopped: {}.</p>\n",
                     run.rate, run.achieved_rate, run.clients, run.before_s, run.after_s,
                     html_escape(run.migration_outcome), html_escape(run.stop_reason));
  out += "<table>\n<tr><th>Operation</th><th>Phase</th><th>Executed</th><th>Errors</th>"
         "<th>Per second</th><th>p50 ms</th><th>p99 ms</th><th>Max ms</th></tr>\n";
  for (const auto& op : run.operations) {
    for (const auto& p : op.phases) {
      out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.1f}</td><td>{}</"
                         "td><td>{}</td><td>{}</td></tr>\n",
                         html_escape(op.name), p.phase, p.operations, p.errors, p.throughput,
                         p.operations ? ms(p.p50_ms) : "—", p.operations ? ms(p.p99_ms) : "—",
                         p.operations ? ms(p.max_ms) : "—");
    }
  }
  out += "</table>\n<table>\n<tr><th>Statement</th><th>Operation</th><th>Waited</th><th>For</th></"
         "tr>\n";
  for (const auto& b : run.blocking) {
    out += fmt::format("<tr><td>{}</td><td>{}</td><td>{} ms</td><td>{} on {}</td></tr>\n",
                       html_escape(load_statement_label(run, b.statement)),
                       html_escape(b.operation), ms(b.blocked_ms), html_escape(b.mode),
                       html_escape(b.relation.empty() ? "a row" : b.relation));
  }
  if (run.blocking.empty())
    out += "<tr><td colspan=\"4\">No traffic waited for a lock the migration held.</td></tr>\n";
  out += "</table>\n";
  for (const auto& op : run.operations) {
    out +=
        fmt::format("<h3>{}</h3>\n<p class=\"meta\">Longest stall {} ms, blocked {} ms in total, "
                    "errors: {}.</p>\n",
                    html_escape(op.name), ms(op.longest_stall_ms), ms(op.blocked_ms),
                    html_escape(errors_text(op)));
    out += load_timeline_svg(run, op);
  }
  return out;
}

} // namespace preflight::report
