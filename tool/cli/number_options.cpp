#include "cli/number_options.h"

#include <cmath>
#include <functional>
#include <string>

#include <fmt/format.h>

namespace preflight::cli {

namespace {

// `accepts` sees only finite numbers; `wanted` completes "… is not a number …".
CLI::Validator finite_number(std::function<bool(double)> accepts, const std::string& wanted,
                             const std::string& name) {
  return CLI::Validator(
      [accepts, wanted](std::string& input) -> std::string {
        double value = 0;
        if (CLI::detail::lexical_cast(input, value) && std::isfinite(value) && accepts(value))
          return {};
        return fmt::format("{} is not a number {}", input, wanted);
      },
      name);
}

} // namespace

CLI::Validator finite_in(double low, double high) {
  const std::string range = fmt::format("from {:g} to {:g}", low, high);
  return finite_number([low, high](double v) { return v >= low && v <= high; }, range,
                       "NUMBER " + range);
}

CLI::Validator finite_positive() {
  return finite_number([](double v) { return v > 0; }, "greater than 0", "POSITIVE");
}

CLI::Validator finite_non_negative() {
  return finite_number([](double v) { return v >= 0; }, "of at least 0", "NONNEGATIVE");
}

} // namespace preflight::cli
