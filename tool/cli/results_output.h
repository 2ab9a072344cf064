#pragma once
// Helpers of the commands that measure for long and then write a results document (bench run,
// bench load, demo); defined in bench_run.cpp.

#include <string>

#include <nlohmann/json.hpp>

namespace preflight::cli {

/// True when progress goes to a terminal (not in CI): transient lines are redrawn in place.
bool on_terminal();

/// Writes a results document to `path`; when it cannot, to a temporary file that the thrown
/// Error names, so that a measurement is never lost.
void save_json(const std::string& path, const nlohmann::json& document);

} // namespace preflight::cli
