#pragma once
// Escaping and number formatting shared by every renderer: what user-supplied text (query
// names, SQL, claims, plan labels) must go through before it lands in HTML, XML, Markdown or a
// GitHub Actions workflow command; and the percent-decoding of URLs.

#include <cstdint>
#include <string>
#include <string_view>

namespace preflight::text {

/// Escapes & < > " ' for HTML text and attribute values.
std::string html_escape(std::string_view text);
/// Escapes & < > " ' for XML, and replaces control characters XML 1.0 forbids with U+FFFD.
std::string xml_escape(std::string_view text);
/// Makes text safe inside a Markdown table cell: | * ` \\ escaped, newlines as spaces,
/// HTML-significant < > & as entities (GitHub renders inline HTML).
std::string markdown_cell(std::string_view text);
/// GitHub workflow command message: % CR LF as %25 %0D %0A.
std::string github_message(std::string_view text);
/// GitHub workflow command property value: the message escapes plus : and , as %3A %2C.
std::string github_property(std::string_view text);
/// `text` with every %HH (two hex digits) replaced by the byte it stands for, as a URL reader
/// (libpq) decodes it; a % not followed by two hex digits stays as it is.
std::string percent_decoded(std::string_view text);

/// A latency in milliseconds with three significant digits: "0.0912", "3.42", "38.9", "1234".
std::string format_ms(double ms);
/// A signed percentage of a ratio's distance from 1: 1.3 → "+30.0 %", 0.8 → "-20.0 %".
std::string format_change(double ratio);

/// A duration: "12.3 ms" below a second, else "1.20 s"; "-" for a negative (unknown) one.
std::string format_duration_ns(std::int64_t ns);

/// Text (SQL, messages) on one line: whitespace runs collapsed to one space, cut to `max_chars`
/// bytes (never inside a UTF-8 sequence) with "…".
std::string one_line(std::string_view text, std::size_t max_chars = 100);

/// The longest prefix of `text` of at most `max_bytes` bytes that does not split a UTF-8 sequence.
std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes);

} // namespace preflight::text
