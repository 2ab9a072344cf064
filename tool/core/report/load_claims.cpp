#include "core/report/load_claims.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "core/report/load_report.h"
#include "core/text/text.h"

namespace preflight::report {

using text::html_escape;
using text::markdown_cell;
using text::one_line;

namespace {

// A stall up to this long reads as "brief" to a user (the bundled suite's max_stall_ms).
constexpr double k_brief_ms = 200;

bool contains(const std::string& text, const char* what) {
  std::string upper = text;
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return upper.find(what) != std::string::npos;
}

std::string ms(double value) {
  return value < 10 ? fmt::format("{:.1f} ms", value) : fmt::format("{:.0f} ms", value);
}

std::int64_t errors(const bench::LoadRun& run) {
  std::int64_t total = 0;
  for (const auto& op : run.operations) {
    for (const auto& [kind, count] : op.errors) total += count;
  }
  return total;
}

const bench::LoadOperation* longest_stall(const bench::LoadRun& run) {
  const bench::LoadOperation* worst = nullptr;
  for (const auto& op : run.operations) {
    if (!worst || op.longest_stall_ms > worst->longest_stall_ms) worst = &op;
  }
  return worst;
}

std::string downtime(const bench::LoadRun& run) {
  const auto* worst = longest_stall(run);
  return fmt::format("{} errors; longest stall {} ({})", errors(run),
                     worst ? ms(worst->longest_stall_ms) : "-", worst ? worst->name : "-");
}

// The waits attributed to statements for which `is_it` holds, as one sentence.
std::string waits_on(const bench::LoadRun& run, bool (*is_it)(const std::string&),
                     double& longest_stall_ms) {
  std::string out;
  longest_stall_ms = 0;
  for (const auto& b : run.blocking) {
    if (b.statement < 0 || b.statement >= static_cast<int>(run.statements.size())) continue;
    const auto& s = run.statements[static_cast<std::size_t>(b.statement)];
    if (!is_it(s.text)) continue;
    const auto* op = run.find(b.operation);
    const double stall = op ? op->longest_stall_ms : 0;
    longest_stall_ms = std::max(longest_stall_ms, stall);
    out += fmt::format("{}{} waited {} in total for {} on {} (line {}, which ran {}); its longest "
                       "stall {}",
                       out.empty() ? "" : "; ", b.operation, ms(b.blocked_ms), b.mode, b.relation,
                       s.line, ms((s.end_s - s.start_s) * 1000), ms(stall));
  }
  return out.empty() ? "no traffic waited for it" : out;
}

bool is_index(const std::string& text) {
  return contains(text, "CREATE INDEX");
}
bool is_foreign_key(const std::string& text) {
  return contains(text, "CONSTRAINT") || contains(text, "FOREIGN KEY");
}

} // namespace

std::vector<LoadClaim> checklist_load_claims(const bench::Results& as_written,
                                             const bench::Results& concurrently) {
  const auto& a = *as_written.load;
  const auto& b = *concurrently.load;
  std::vector<LoadClaim> claims;
  const auto* worst = longest_stall(a);
  claims.push_back({"Zero downtime expected", downtime(a), downtime(b),
                    errors(a) == 0 && (!worst || worst->longest_stall_ms <= k_brief_ms)});
  double index_stall = 0, unused = 0;
  auto index_a = waits_on(a, is_index, index_stall);
  claims.push_back({"Non-blocking: index creation doesn't lock table", index_a,
                    waits_on(b, is_index, unused), index_stall <= k_brief_ms});
  double fk_stall = 0;
  auto fk_a = waits_on(a, is_foreign_key, fk_stall);
  claims.push_back({"Brief lock during FK constraint update", fk_a,
                    waits_on(b, is_foreign_key, unused), fk_stall <= k_brief_ms});
  return claims;
}

std::string render_load_comparison(const bench::Results& as_written,
                                   const bench::Results& concurrently) {
  std::string out = "# Migration 0003 under traffic: as written and with CREATE INDEX "
                    "CONCURRENTLY\n\n";
  out += fmt::format("The same open-loop traffic ({:g} executions/s on {} connections) while each "
                     "variant was applied; a stall longer than {:g} ms counts as a wait a user "
                     "notices.\n\n",
                     as_written.load->rate, as_written.load->clients, k_brief_ms);
  out += "| Checklist claim | 0003 as written | With CONCURRENTLY | Borne out (as written) |\n"
         "| --- | --- | --- | --- |\n";
  for (const auto& c : checklist_load_claims(as_written, concurrently)) {
    out +=
        fmt::format("| {} | {} | {} | {} |\n", markdown_cell(c.claim), markdown_cell(c.as_written),
                    markdown_cell(c.concurrently), c.borne_out ? "yes" : "**no**");
  }
  out += "\n# 0003 as written\n\n" + load_markdown(as_written);
  out += "# 0003 with CREATE INDEX CONCURRENTLY\n\n" + load_markdown(concurrently);
  return out;
}

} // namespace preflight::report
