#include "core/text/text.h"

#include <cctype>

#include <cmath>

#include <fmt/format.h>

namespace preflight::text {

namespace {

// The entity for a character markup cannot carry literally, or nullptr.
const char* markup_entity(char c, const char* apostrophe) {
  switch (c) {
  case '&': return "&amp;";
  case '<': return "&lt;";
  case '>': return "&gt;";
  case '"': return "&quot;";
  case '\'': return apostrophe;
  default: return nullptr;
  }
}

} // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (const char* entity = markup_entity(c, "&#39;"))
      out += entity;
    else
      out += c;
  }
  return out;
}

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 && c != '\n' && c != '\r' && c != '\t') {
      out += "\xEF\xBF\xBD"; // U+FFFD: XML 1.0 cannot carry these even as character references
    } else if (const char* entity = markup_entity(c, "&apos;")) {
      out += entity;
    } else {
      out += c;
    }
  }
  return out;
}

std::string markdown_cell(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
    case '|': out += "\\|"; break;
    case '*': out += "\\*"; break;
    case '`': out += "\\`"; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += ' '; break;
    case '\r': break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '&': out += "&amp;"; break;
    default: out += c;
    }
  }
  return out;
}

std::string github_message(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
    case '%': out += "%25"; break;
    case '\r': out += "%0D"; break;
    case '\n': out += "%0A"; break;
    default: out += c;
    }
  }
  return out;
}

std::string github_property(std::string_view text) {
  std::string out;
  for (char c : github_message(text)) {
    switch (c) {
    case ':': out += "%3A"; break;
    case ',': out += "%2C"; break;
    default: out += c;
    }
  }
  return out;
}

std::string percent_decoded(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() &&
        std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string format_ms(double ms) {
  const double magnitude = std::abs(ms);
  if (magnitude >= 100) return fmt::format("{:.0f}", ms);
  if (magnitude >= 10) return fmt::format("{:.1f}", ms);
  if (magnitude >= 1) return fmt::format("{:.2f}", ms);
  if (magnitude >= 0.1) return fmt::format("{:.3f}", ms);
  return fmt::format("{:.4f}", ms);
}

std::string format_change(double ratio) {
  const double percent = (ratio - 1) * 100;
  // A change that rounds to zero is "+0.0 %", never "-0.0 %".
  return fmt::format("{:+.1f} %", std::abs(percent) < 0.05 ? 0.0 : percent);
}

std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t end = max_bytes;
  // Back up over continuation bytes (10xxxxxx) so the cut lands on a sequence boundary.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

std::string one_line(std::string_view text, std::size_t max_chars) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  if (out.size() > max_chars) out = std::string(utf8_prefix(out, max_chars)) + "…";
  return out;
}

std::string format_duration_ns(std::int64_t ns) {
  if (ns < 0) return "-";
  const double ms = static_cast<double>(ns) / 1e6;
  if (ms < 1000) return fmt::format("{:.1f} ms", ms);
  return fmt::format("{:.2f} s", ms / 1000);
}

} // namespace preflight::text
