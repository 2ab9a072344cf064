#pragma once
// Integers read from JSON that preflight did not necessarily write (a hand-edited results file,
// EXPLAIN output saved elsewhere): nlohmann::json turns a float such as -1e300 into an integer
// with a cast whose result is undefined, so anything that is not an integer in T's range is
// refused here with nlohmann's own type error, which the readers already report.

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include <nlohmann/json.hpp>

namespace preflight {

/// `value` as T when it is a whole number within T's range (written as an integer or as a
/// float with no fraction); throws nlohmann::json::type_error otherwise.
template <class T> T json_integer(const nlohmann::json& value) {
  static_assert(std::is_integral_v<T> && !std::is_same_v<T, bool>);
  using limits = std::numeric_limits<T>;
  bool fits = false;
  if (value.is_number_unsigned()) {
    fits = value.get<std::uint64_t>() <= static_cast<std::uint64_t>(limits::max());
  } else if (value.is_number_integer()) {
    const auto v = value.get<std::int64_t>();
    fits = v >= 0 ? static_cast<std::uint64_t>(v) <= static_cast<std::uint64_t>(limits::max())
                  : limits::is_signed && v >= static_cast<std::int64_t>(limits::min());
  } else if (value.is_number_float()) {
    const double d = value.get<double>();
    // [-2^digits, 2^digits) for signed T, [0, 2^digits) for unsigned: exact in a double.
    const double bound = std::ldexp(1.0, limits::digits);
    fits = std::isfinite(d) && d == std::trunc(d) && d < bound &&
           d >= (limits::is_signed ? -bound : 0.0);
    if (fits) return static_cast<T>(d);
  }
  if (!fits) {
    throw nlohmann::json::type_error::create(
        302, "type must be a whole number within range, but is " + value.dump(), &value);
  }
  return value.get<T>();
}

} // namespace preflight
