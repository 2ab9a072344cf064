#pragma once
// Inline SVG charts for the HTML report: latency distributions as empirical CDFs on a log-scale
// millisecond axis, and the migration's lock timeline. Pure strings; every label is escaped.

#include <string>
#include <vector>

#include "core/migrate/lock_trace.h"

namespace preflight::report {

struct ChartSeries {
  std::string label;           // "before"
  std::vector<double> samples; // milliseconds, any order
  std::string colour;          // CSS colour
};

/// An empirical CDF per series (x: latency in ms, log scale, decade ticks; y: share of
/// executions at or below x), with axes, units and a legend; `title` is the accessible name.
std::string cdf_chart_svg(const std::vector<ChartSeries>& series, const std::string& title);

/// One bar per statement on a shared millisecond axis, coloured by the strongest lock it took,
/// labelled with its locks; a legend explains the colours.
std::string lock_timeline_svg(const std::vector<migrate::TracedStatement>& statements);

} // namespace preflight::report
