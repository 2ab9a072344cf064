#include "core/config/connection_text.h"

#include <regex>
#include <sstream>

namespace preflight::config {

std::optional<std::string> database_url_from_dotenv(const std::string& text) {
  std::istringstream lines(text);
  std::string line;
  std::optional<std::string> found;
  while (std::getline(lines, line)) {
    auto start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    line = line.substr(start);
    if (line.rfind("export ", 0) == 0) line = line.substr(7);
    const std::string key = "DATABASE_URL=";
    if (line.rfind(key, 0) != 0) continue;
    std::string value = line.substr(key.size());
    while (!value.empty() && (value.back() == '\r' || value.back() == ' ')) value.pop_back();
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    found = value;
  }
  return found;
}

std::string redact_password(std::string_view conninfo) {
  std::string text(conninfo);
  // URL form: scheme://user:password@host
  static const std::regex url_password(R"(((?:postgres|postgresql)://[^:/@\s]*):[^@\s]*@)");
  text = std::regex_replace(text, url_password, "$1:***@");
  // Keyword form and URL query parameters: password=secret
  static const std::regex keyword_password(R"((password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&]+))",
                                           std::regex::icase);
  return std::regex_replace(text, keyword_password, "$1***");
}

} // namespace preflight::config
