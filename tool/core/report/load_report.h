#pragma once
// The `bench load` part of a report: per operation the table before / during / after the
// migration, the stalls, the statements that blocked, and a timeline chart (p99 latency and
// throughput per 100 ms, the migration's statements drawn as bands behind them).

#include <string>

#include "core/bench/results.h"

namespace preflight::report {

/// One operation's timeline as an inline SVG: p99 latency (log scale, left axis) and throughput
/// (right axis) per bucket, each migration statement a labelled band.
std::string load_timeline_svg(const bench::LoadRun& run, const bench::LoadOperation& operation);

/// The same timeline as text for Markdown: one character per bucket (▁…█ by p99 latency, "·"
/// without executions), a row marking when migration statements ran, and the time axis.
std::string load_timeline_text(const bench::LoadRun& run, const bench::LoadOperation& operation);

/// "## Migration under traffic" for Markdown ("" without a load part).
std::string load_markdown(const bench::Results& results);

/// The same section for the HTML report, with one chart per operation ("" without a load part).
std::string load_html(const bench::Results& results);

/// "migrations/0003_x.up.sql:15 CREATE INDEX …" for statement `index` of `run`.
std::string load_statement_label(const bench::LoadRun& run, int index);

} // namespace preflight::report
