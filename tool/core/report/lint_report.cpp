#include "core/report/lint_report.h"

#include <cctype>

#include <fmt/format.h>

#include "core/text/text.h"

namespace preflight::lint {

std::vector<std::string> render_text(const std::vector<Finding>& findings) {
  std::vector<std::string> lines;
  for (const auto& f : findings) {
    lines.push_back(fmt::format("{}:{}:{}: {}[{}]: {}", f.file, f.line, f.column,
                                to_string(f.level), f.rule, f.message));
    if (!f.hint.empty()) lines.push_back("  hint: " + f.hint);
  }
  return lines;
}

std::string summary_line(const std::vector<Finding>& findings, std::size_t files) {
  std::size_t errors = 0;
  std::size_t warnings = 0;
  for (const auto& f : findings) (f.level == Level::error ? errors : warnings) += 1;
  const std::string in = fmt::format("in {} file{}", files, files == 1 ? "" : "s");
  if (findings.empty()) return "no findings " + in;
  return fmt::format("{} error{}, {} warning{} {}", errors, errors == 1 ? "" : "s", warnings,
                     warnings == 1 ? "" : "s", in);
}

nlohmann::json render_json(const std::vector<Finding>& findings) {
  auto list = nlohmann::json::array();
  int errors = 0;
  int warnings = 0;
  for (const auto& f : findings) {
    (f.level == Level::error ? errors : warnings) += 1;
    list.push_back({{"rule", f.rule},
                    {"level", to_string(f.level)},
                    {"file", f.file},
                    {"line", f.line},
                    {"column", f.column},
                    {"message", f.message},
                    {"hint", f.hint}});
  }
  return {{"findings", list}, {"errors", errors}, {"warnings", warnings}};
}

std::vector<std::string> render_github(const std::vector<Finding>& findings) {
  std::vector<std::string> lines;
  for (const auto& f : findings) {
    std::string message = f.message;
    if (!f.hint.empty()) message += "\nhint: " + f.hint;
    lines.push_back(fmt::format("::{} file={},line={},col={},title={}::{}", to_string(f.level),
                                text::github_property(f.file), f.line, f.column,
                                text::github_property("preflight " + f.rule),
                                text::github_message(message)));
  }
  return lines;
}

std::string artifact_uri(const std::string& path) {
  static const std::string k_kept = "-._~!$&'()*+,;=@/"; // besides ASCII letters and digits
  std::string uri = !path.empty() && path.front() == '/' ? "file://" : "";
  for (char c : path) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x80 && std::isalnum(byte)) || k_kept.find(c) != std::string::npos) {
      uri += c;
    } else {
      uri += fmt::format("%{:02X}", byte);
    }
  }
  return uri;
}

nlohmann::json render_sarif(const std::vector<Finding>& findings, const std::string& tool_version) {
  auto rules = nlohmann::json::array();
  for (const auto& rule : all_rules()) {
    rules.push_back({{"id", rule.id},
                     {"shortDescription", {{"text", rule.summary}}},
                     {"help",
                      {{"text", "Why it matters and the safer way: preflight's README, section "
                                "\"Migration safety: lint and lock trace\", table Rules."}}},
                     {"defaultConfiguration", {{"level", to_string(rule.level)}}}});
  }
  auto results = nlohmann::json::array();
  for (const auto& f : findings) {
    std::size_t index = 0;
    while (index < all_rules().size() && all_rules()[index].id != f.rule) ++index;
    results.push_back(
        {{"ruleId", f.rule},
         {"ruleIndex", index},
         {"level", to_string(f.level)},
         {"message", {{"text", f.hint.empty() ? f.message : f.message + ". Safer: " + f.hint}}},
         {"locations",
          {{{"physicalLocation",
             {{"artifactLocation", {{"uri", artifact_uri(f.file)}}},
              {"region", {{"startLine", f.line}, {"startColumn", f.column}}}}}}}}});
  }
  nlohmann::json driver{{"name", "preflight"}, {"version", tool_version}, {"rules", rules}};
  return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
          {"version", "2.1.0"},
          {"runs",
           {{{"tool", {{"driver", driver}}},
             // line_column_at counts UTF-8 characters, not UTF-16 units (SARIF's default).
             {"columnKind", "unicodeCodePoints"},
             {"results", results}}}}};
}

} // namespace preflight::lint
