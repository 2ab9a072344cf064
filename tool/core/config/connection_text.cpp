#include "core/config/connection_text.h"

#include <cctype>
#include <regex>
#include <sstream>

#include "core/text/text.h"

namespace preflight::config {

namespace {

// A .env value: quoted (the text between the quotes; what follows is a comment or nothing) or
// unquoted (up to a " #" comment), as docker compose and the dotenv libraries read it.
std::string dotenv_value(std::string value) {
  if (!value.empty() && (value.front() == '"' || value.front() == '\'')) {
    const auto close = value.find(value.front(), 1);
    if (close != std::string::npos) return value.substr(1, close - 1);
  }
  for (std::size_t i = 1; i < value.size(); ++i) {
    if (value[i] == '#' && (value[i - 1] == ' ' || value[i - 1] == '\t')) {
      value.resize(i);
      break;
    }
  }
  while (!value.empty() && (value.back() == '\r' || value.back() == ' ' || value.back() == '\t'))
    value.pop_back();
  return value;
}

// A keyword value as libpq reads it: quoted with backslash escapes, or up to whitespace.
std::string unescaped(std::string_view value) {
  if (!value.empty() && value.front() == '\'') value = value.substr(1, value.size() - 2);
  std::string out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\\' && i + 1 < value.size()) ++i;
    out += value[i];
  }
  return out;
}

const std::regex& url_password() {
  // scheme://user:password@host (the scheme in any case: libpq refuses upper case, and then
  // quotes the whole text in its error message)
  static const std::regex re(R"(((?:postgres|postgresql)://[^:/@\s]*):([^@\s]*)@)",
                             std::regex::icase);
  return re;
}

const std::regex& keyword_password() {
  // Keyword form and URL query parameters: password=secret, password='a b', password=a\ b
  static const std::regex re(R"((password\s*=\s*)('(?:[^'\\]|\\.)*'|(?:[^\s&\\]|\\.)+))",
                             std::regex::icase);
  return re;
}

} // namespace

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
    found = dotenv_value(line.substr(key.size()));
  }
  return found;
}

std::string redact_password(std::string_view conninfo) {
  std::string text = std::regex_replace(std::string(conninfo), url_password(), "$1:***@");
  return std::regex_replace(text, keyword_password(), "$1***");
}

std::vector<std::string> passwords_in(std::string_view conninfo) {
  std::vector<std::string> found;
  const std::string text(conninfo);
  for (std::sregex_iterator it(text.begin(), text.end(), url_password()), end; it != end; ++it) {
    found.push_back((*it)[2]);
    found.push_back(text::percent_decoded((*it)[2].str()));
  }
  for (std::sregex_iterator it(text.begin(), text.end(), keyword_password()), end; it != end;
       ++it) {
    found.push_back((*it)[2]);
    found.push_back(unescaped((*it)[2].str()));
    found.push_back(text::percent_decoded((*it)[2].str()));
  }
  return found;
}

std::string redact_password(std::string_view text, std::string_view conninfo) {
  std::string out = redact_password(text);
  for (const auto& secret : passwords_in(conninfo)) {
    // Too short a secret would blank out ordinary words; the patterns above still mask it.
    if (secret.size() < 4) continue;
    for (auto at = out.find(secret); at != std::string::npos; at = out.find(secret, at + 3)) {
      out.replace(at, secret.size(), "***");
    }
  }
  return out;
}

} // namespace preflight::config
