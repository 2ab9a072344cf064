#pragma once
// Checks for numeric command-line options. CLI11's own ranges let NaN through (every comparison
// with it is false) and print their limits with std::to_string (DBL_MAX as 309 digits).

#include <CLI/CLI.hpp>

namespace preflight::cli {

/// Accepts a finite number in [low, high]; refuses NaN and infinities, naming the limits
/// readably ("--alpha: nan is not a number from 1e-09 to 0.5").
CLI::Validator finite_in(double low, double high);

/// Accepts a finite number greater than 0.
CLI::Validator finite_positive();

/// Accepts a finite number of at least 0.
CLI::Validator finite_non_negative();

} // namespace preflight::cli
