#include "core/report/svg_charts.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/stats/stats.h"
#include "core/text/text.h"

namespace preflight::report {

using text::format_duration_ns;
using text::format_ms;
using text::html_escape;
using text::one_line;

namespace {

constexpr double k_width = 640;
constexpr double k_height = 300;
constexpr double k_left = 60;
constexpr double k_right = 20;
constexpr double k_top = 36;
constexpr double k_bottom = 48;

std::string tick_label(double ms) {
  return fmt::format("{:g}", ms);
}

// Decade ticks when the data spans several decades; 1-2-5, then every integer multiple, when it
// is narrower, so that a tight distribution still gets a readable axis.
std::vector<double> log_ticks(double lo, double hi) {
  std::vector<double> ticks;
  for (const auto& multiples : {std::vector<double>{1}, std::vector<double>{1, 2, 5},
                                std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8, 9}}) {
    ticks.clear();
    for (int e = static_cast<int>(std::floor(std::log10(lo)));
         e <= static_cast<int>(std::ceil(std::log10(hi))); ++e) {
      for (double m : multiples) {
        const double t = m * std::pow(10.0, e);
        if (t >= lo && t <= hi) ticks.push_back(t);
      }
    }
    if (ticks.size() >= 3) break;
  }
  return ticks;
}

double nice_step(double range, int target) {
  const double raw = range / target;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * power >= raw) return m * power;
  }
  return 10 * power;
}

} // namespace

std::string cdf_chart_svg(const std::vector<ChartSeries>& series, const std::string& title) {
  double lo = 0;
  double hi = 0;
  bool any = false;
  for (const auto& s : series) {
    for (double x : s.samples) {
      if (x <= 0) continue;
      lo = any ? std::min(lo, x) : x;
      hi = any ? std::max(hi, x) : x;
      any = true;
    }
  }
  std::string out = fmt::format(
      "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\" "
      "xmlns=\"http://www.w3.org/2000/svg\"><title>{2}</title>\n",
      k_width, k_height, html_escape(title));
  if (!any) return out + "<text x=\"20\" y=\"40\">no samples</text></svg>\n";
  // A little room either side so the extreme samples do not sit on the frame.
  double log_lo = std::log10(lo) - 0.05;
  double log_hi = std::log10(hi) + 0.05;
  if (log_hi - log_lo < 0.3) {
    const double mid = (log_lo + log_hi) / 2;
    log_lo = mid - 0.15;
    log_hi = mid + 0.15;
  }
  const double plot_w = k_width - k_left - k_right;
  const double plot_h = k_height - k_top - k_bottom;
  auto x_of = [&](double ms) {
    return k_left + (std::log10(ms) - log_lo) / (log_hi - log_lo) * plot_w;
  };
  auto y_of = [&](double share) { return k_top + (1 - share) * plot_h; };

  out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" class=\"frame\"/>\n",
                     k_left, k_top, plot_w, plot_h);
  for (double t : log_ticks(std::pow(10.0, log_lo), std::pow(10.0, log_hi))) {
    const double x = x_of(t);
    out += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" class=\"grid\"/>"
        "<text x=\"{0:.1f}\" y=\"{3}\" class=\"tick\" text-anchor=\"middle\">{4}</text>\n",
        x, k_top, k_top + plot_h, k_top + plot_h + 16, tick_label(t));
  }
  for (int i = 0; i <= 4; ++i) {
    const double share = i / 4.0;
    const double y = y_of(share);
    out += fmt::format(
        "<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" class=\"grid\"/>"
        "<text x=\"{3}\" y=\"{4:.1f}\" class=\"tick\" text-anchor=\"end\">{5} %</text>\n",
        k_left, y, k_left + plot_w, k_left - 6, y + 4, i * 25);
  }
  out += fmt::format("<text x=\"{}\" y=\"{}\" class=\"axis\" text-anchor=\"middle\">latency (ms, "
                     "log scale)</text>\n",
                     k_left + plot_w / 2, k_height - 10);
  out += fmt::format("<text x=\"14\" y=\"{0}\" class=\"axis\" text-anchor=\"middle\" "
                     "transform=\"rotate(-90 14 {0})\">"
                     "executions ≤ x</text>\n",
                     k_top + plot_h / 2);

  double legend_x = k_left;
  for (const auto& s : series) {
    std::vector<double> sorted;
    for (double x : s.samples) {
      if (x > 0) sorted.push_back(x);
    }
    std::sort(sorted.begin(), sorted.end());
    const std::string legend = fmt::format("{} (n = {}, median {} ms)", s.label, s.samples.size(),
                                           format_ms(stats::median(s.samples)));
    out += fmt::format("<rect x=\"{:.1f}\" y=\"10\" width=\"14\" height=\"4\" fill=\"{}\"/>"
                       "<text x=\"{:.1f}\" y=\"16\" class=\"legend\">{}</text>\n",
                       legend_x, html_escape(s.colour), legend_x + 18, html_escape(legend));
    legend_x += 36 + 6.5 * static_cast<double>(legend.size());
    if (sorted.empty()) continue;
    // At most ~400 vertices per curve keeps the file small without visibly changing the step.
    const std::size_t n = sorted.size();
    const std::size_t stride = std::max<std::size_t>(1, n / 400);
    std::string points = fmt::format("{:.1f},{:.1f}", x_of(sorted.front()), y_of(0));
    double previous = 0;
    for (std::size_t i = 0; i < n; i += stride) {
      const double share = static_cast<double>(i + 1) / static_cast<double>(n);
      const double x = x_of(sorted[i]);
      points += fmt::format(" {0:.1f},{1:.1f} {0:.1f},{2:.1f}", x, y_of(previous), y_of(share));
      previous = share;
    }
    points += fmt::format(" {0:.1f},{1:.1f} {0:.1f},{2:.1f}", x_of(sorted.back()), y_of(previous),
                          y_of(1));
    out += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>\n",
                       points, html_escape(s.colour));
  }
  return out + "</svg>\n";
}

namespace {

const char* lock_colour(int severity) {
  switch (severity) {
  case 4: return "#c0392b";
  case 3: return "#e67e22";
  case 2: return "#d4ac0d";
  default: return "#7f8c8d";
  }
}

} // namespace

namespace {

// 4 for ACCESS EXCLUSIVE, 3 for the modes that block writes, 2 for SHARE UPDATE EXCLUSIVE, 1 for
// weaker ones: how much of a live table's traffic the lock stops (the bar's colour).
int lock_severity(migrate::LockMode mode) {
  switch (migrate::blocked_by(mode)) {
  case migrate::Blocked::reads_and_writes: return 4;
  case migrate::Blocked::writes: return 3;
  case migrate::Blocked::other_ddl: return 2;
  case migrate::Blocked::nothing: return 1;
  }
  return 1;
}

} // namespace

std::string lock_timeline_svg(const std::vector<migrate::TracedStatement>& statements) {
  constexpr double width = 1100;
  constexpr double label_w = 260;
  constexpr double row_h = 26;
  constexpr double top = 52;
  constexpr double bar_w = 280; // the rest of the row holds the lock labels
  double total_ms = 0;
  for (const auto& s : statements)
    total_ms += static_cast<double>(std::max<std::int64_t>(s.duration_ns, 0)) / 1e6;
  if (total_ms <= 0) total_ms = 1;
  const double height = top + row_h * static_cast<double>(statements.size()) + 40;
  std::string out = fmt::format(
      "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\" "
      "xmlns=\"http://www.w3.org/2000/svg\"><title>Lock timeline of the migration</title>\n",
      width, height);
  // Two legend rows of two entries each: fixed slots never overlap, whatever the text.
  int slot = 0;
  for (int severity : {4, 3, 2, 1}) {
    const char* text = severity == 4   ? "ACCESS EXCLUSIVE: blocks reads and writes"
                       : severity == 3 ? "SHARE, SHARE ROW EXCLUSIVE, EXCLUSIVE: block writes"
                       : severity == 2 ? "SHARE UPDATE EXCLUSIVE: blocks other DDL"
                                       : "weaker or no new lock";
    const double x = label_w + (slot % 2) * 380.0;
    const double y = 8 + (slot / 2) * 18.0;
    out += fmt::format("<rect x=\"{:.0f}\" y=\"{:.0f}\" width=\"12\" height=\"12\" fill=\"{}\"/>"
                       "<text x=\"{:.0f}\" y=\"{:.0f}\" class=\"legend\">{}</text>\n",
                       x, y, lock_colour(severity), x + 16, y + 10, text);
    ++slot;
  }
  auto x_of = [&](double ms) { return label_w + ms / total_ms * bar_w; };
  double start_ms = 0;
  double y = top;
  std::size_t n = 0;
  for (const auto& s : statements) {
    const double ms = static_cast<double>(std::max<std::int64_t>(s.duration_ns, 0)) / 1e6;
    int severity = 0;
    std::string locks;
    for (const auto& l : s.locks) {
      severity = std::max(severity, lock_severity(l.mode));
      locks += (locks.empty() ? "" : "; ") + migrate::lock_mode_name(l.mode) + " on " + l.relation;
    }
    const std::string label = fmt::format("#{} line {}: {}", ++n, s.line, one_line(s.text, 26));
    const double bar = std::max(2.0, x_of(start_ms + ms) - x_of(start_ms));
    out += fmt::format("<text x=\"4\" y=\"{:.0f}\" class=\"tick\">{}</text>\n", y + 16,
                       html_escape(label));
    out += fmt::format(
        "<rect x=\"{:.1f}\" y=\"{:.0f}\" width=\"{:.1f}\" height=\"{:.0f}\" fill=\"{}\">"
        "<title>{}</title></rect>\n",
        x_of(start_ms), y + 4, bar, row_h - 8, lock_colour(severity),
        html_escape(fmt::format("{}: {} ({})", label, format_duration_ns(s.duration_ns),
                                locks.empty() ? "no new locks" : locks)));
    out += fmt::format("<text x=\"{:.0f}\" y=\"{:.0f}\" class=\"tick\">{} · {}</text>\n",
                       label_w + bar_w + 10, y + 16, html_escape(format_duration_ns(s.duration_ns)),
                       html_escape(locks.empty() ? "no new locks" : locks));
    start_ms += ms;
    y += row_h;
  }
  // Axis under the bars, in milliseconds since the migration started.
  out += fmt::format(
      "<line x1=\"{0}\" y1=\"{1:.0f}\" x2=\"{2}\" y2=\"{1:.0f}\" class=\"axisline\"/>\n", label_w,
      y + 2, label_w + bar_w);
  const double step = nice_step(total_ms, 4);
  for (double t = 0; t <= total_ms + step * 1e-9; t += step) {
    out += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1:.0f}\" x2=\"{0:.1f}\" y2=\"{2:.0f}\" class=\"axisline\"/>"
        "<text x=\"{0:.1f}\" y=\"{3:.0f}\" class=\"tick\" text-anchor=\"middle\">{4:g}</text>\n",
        x_of(t), y + 2, y + 6, y + 18, t);
  }
  out += fmt::format("<text x=\"{:.0f}\" y=\"{:.0f}\" class=\"axis\" text-anchor=\"middle\">time "
                     "since the migration "
                     "started (ms)</text>\n",
                     label_w + bar_w / 2, y + 34);
  return out + "</svg>\n";
}

} // namespace preflight::report
