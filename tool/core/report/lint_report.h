#pragma once
// Renders lint findings for people (text), programs (JSON), GitHub Actions annotations and
// SARIF 2.1.0 (code scanning). Pure: findings in, text out.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/lint/rules.h"

namespace preflight::lint {

/// "file:line:col: error[rule]: message" then "  hint: …", one pair per finding.
std::vector<std::string> render_text(const std::vector<Finding>& findings);

/// One line such as "2 errors, 1 warning in 6 files" (or "no findings in 6 files").
std::string summary_line(const std::vector<Finding>& findings, std::size_t files);

/// {"findings": [{rule, level, file, line, column, message, hint}], "errors": n, "warnings": n}.
nlohmann::json render_json(const std::vector<Finding>& findings);

/// One GitHub Actions workflow command per finding: "::error file=F,line=L,col=C,title=T::message".
std::vector<std::string> render_github(const std::vector<Finding>& findings);

/// `path` as a SARIF artifactLocation.uri (an RFC 3986 URI reference): bytes other than
/// unreserved characters, sub-delimiters, '@' and '/' percent-encoded (':' too, so that a first
/// segment is never read as a scheme); an absolute path becomes a file:/// URI.
std::string artifact_uri(const std::string& path);

/// A SARIF 2.1.0 log with one run; `tool_version` is preflight's version.
nlohmann::json render_sarif(const std::vector<Finding>& findings, const std::string& tool_version);

} // namespace preflight::lint
