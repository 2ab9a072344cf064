#include "core/lint/lock_timeout.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>

namespace preflight::lint {

namespace {

// PostgreSQL's time units for a GUC whose base unit is milliseconds (guc.c, memory and time
// unit tables); unit names are case-sensitive there too.
double unit_ms(std::string_view unit) {
  if (unit.empty() || unit == "ms") return 1.0;
  if (unit == "us") return 0.001;
  if (unit == "s") return 1000.0;
  if (unit == "min") return 60'000.0;
  if (unit == "h") return 3'600'000.0;
  if (unit == "d") return 86'400'000.0;
  return -1.0;
}

bool is_space(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

} // namespace

bool lock_timeout_limits_wait(std::string_view value) {
  const std::string text(value);
  const char* start = text.c_str();
  char* end = nullptr;
  // guc.c parse_int: an integer (any base strtol reads) or, failing that, a float; then an
  // optional unit; the result is rounded to whole milliseconds.
  double number = static_cast<double>(std::strtol(start, &end, 0));
  if (end == start || *end == '.' || *end == 'e' || *end == 'E') number = std::strtod(start, &end);
  if (end == start) return false;
  std::string_view rest(end);
  while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);
  while (!rest.empty() && is_space(rest.back())) rest.remove_suffix(1);
  const double scale = unit_ms(rest);
  if (scale < 0) return false;
  return std::rint(number * scale) >= 1.0;
}

} // namespace preflight::lint
