#include "io/utc_time.h"

#include <ctime>

namespace preflight {

namespace {

std::string utc_now(const char* format) {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  return std::string(text, std::strftime(text, sizeof text, format, &utc));
}

} // namespace

std::string utc_iso8601_now() {
  return utc_now("%Y-%m-%dT%H:%M:%SZ");
}

std::string utc_digits_now() {
  return utc_now("%Y%m%d%H%M%S");
}

} // namespace preflight
