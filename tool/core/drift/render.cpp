#include "core/drift/render.h"

#include <fmt/format.h>

#include "core/migrate/migration_set.h"
#include "core/text/text.h"

namespace preflight::drift {

namespace {

const char* mark(Change change) {
  switch (change) {
  case Change::missing: return "-";
  case Change::extra: return "+";
  case Change::changed: return "~";
  }
  return "~";
}

std::string what(const Difference& d) {
  switch (d.change) {
  case Change::missing: return "missing from the database";
  case Change::extra: return "not in the migrations";
  case Change::changed: return d.aspect + " differs";
  }
  return d.aspect;
}

std::string up_to(const DriftSummary& summary) {
  if (summary.migrations == 0) return "no migrations";
  return fmt::format("migrations up to version {}",
                     migrate::shown_version(summary.version, summary.version_text));
}

// Multi-line values (function definitions) indented under their label.
std::string indented(const std::string& text) {
  std::string out;
  for (char c : text) {
    out += c;
    if (c == '\n') out += "              ";
  }
  return out;
}

} // namespace

std::string summary_line(const std::vector<Difference>& differences, const DriftSummary& summary) {
  if (differences.empty()) return fmt::format("no drift: the database matches {}", up_to(summary));
  std::size_t counts[3] = {0, 0, 0};
  for (const auto& d : differences) ++counts[static_cast<int>(d.change)];
  return fmt::format("{} difference{} from {} ({} missing, {} extra, {} changed)",
                     differences.size(), differences.size() == 1 ? "" : "s", up_to(summary),
                     counts[0], counts[1], counts[2]);
}

std::string fix_script(const std::vector<Difference>& differences) {
  // CREATE/DROP/REINDEX … CONCURRENTLY refuse to run in a transaction block: each statement runs
  // on its own, and a lock wait gives up instead of queueing every query behind it.
  std::string out = "-- no-transaction\nSET lock_timeout = '5s';\n";
  for (const auto& d : differences) {
    const std::string about = d.kind + " " + d.object + (d.aspect.empty() ? "" : " " + d.aspect);
    if (d.sql) {
      out += fmt::format("-- {}\n{}\n", about, *d.sql);
    } else {
      out += fmt::format("-- {}: no single statement; change it with a migration\n", about);
    }
  }
  return out;
}

std::string render_text(const std::vector<Difference>& differences, const DriftSummary& summary) {
  std::string out;
  for (const auto& d : differences) {
    out += fmt::format("{} {} {}: {}\n", mark(d.change), d.kind, d.object, what(d));
    if (!d.expected.empty()) out += "    expected: " + indented(d.expected) + "\n";
    if (!d.actual.empty()) out += "    actual:   " + indented(d.actual) + "\n";
    out += "    " + d.explanation + "\n";
  }
  out += summary_line(differences, summary) + "\n";
  return out;
}

std::string render_markdown(const std::vector<Difference>& differences,
                            const DriftSummary& summary) {
  using text::markdown_cell;
  std::string out = "### Schema drift\n\n" + summary_line(differences, summary) + "\n";
  if (differences.empty()) return out;
  out += "\n| | object | what | expected | actual | why |\n|---|---|---|---|---|---|\n";
  for (const auto& d : differences) {
    auto code = [](const std::string& text) {
      return text.empty() ? std::string() : "`" + markdown_cell(text::one_line(text, 200)) + "`";
    };
    out += fmt::format("| {} | {} {} | {} | {} | {} | {} |\n", mark(d.change),
                       markdown_cell(d.kind), code(d.object), markdown_cell(what(d)),
                       code(d.expected), code(d.actual), markdown_cell(d.explanation));
  }
  return out;
}

nlohmann::json render_json(const std::vector<Difference>& differences, const DriftSummary& summary,
                           const DriftTimings& timings, const std::string* script,
                           const std::vector<lint::Finding>* findings) {
  auto list = nlohmann::json::array();
  for (const auto& d : differences) {
    nlohmann::json j{{"kind", d.kind},
                     {"object", d.object},
                     {"change", to_string(d.change)},
                     {"aspect", d.aspect},
                     {"expected", d.expected},
                     {"actual", d.actual},
                     {"explanation", d.explanation}};
    j["sql"] = d.sql ? nlohmann::json(*d.sql) : nlohmann::json(nullptr);
    list.push_back(std::move(j));
  }
  nlohmann::json document{
      {"schema", "preflight.drift"},
      {"version", k_drift_schema_version},
      {"target", summary.target},
      {"migrations_version", summary.version},
      {"migrations_applied", summary.migrations},
      {"comments_compared", summary.comments},
      {"drift", !differences.empty()},
      {"differences", list},
      {"timings_ms",
       {{"cluster", timings.cluster_ms},
        {"apply", timings.apply_ms},
        {"read_actual", timings.read_actual_ms},
        {"read_expected", timings.read_expected_ms},
        {"compare", timings.compare_ms}}},
  };
  if (!summary.version_text.empty()) document["migrations_version_text"] = summary.version_text;
  if (script) document["sql"] = *script;
  if (findings) {
    auto lint = nlohmann::json::array();
    for (const auto& f : *findings) {
      lint.push_back({{"rule", f.rule},
                      {"level", lint::to_string(f.level)},
                      {"line", f.line},
                      {"column", f.column},
                      {"message", f.message},
                      {"hint", f.hint}});
    }
    document["lint"] = lint;
  }
  return document;
}

} // namespace preflight::drift
