#pragma once
// The parsers that read user input, as fuzz targets: each takes arbitrary bytes and must either
// accept them or reject them with preflight::Error (not an internal one). Shared by the libFuzzer
// binaries (tests/fuzz, built with PREFLIGHT_FUZZ) and by the unit test that replays the seed
// corpora and every crash found so far (tests/fuzz/corpus/<target>/).

#include <string>
#include <string_view>
#include <vector>

namespace preflight::fuzz {

/// The names of the targets, one folder each under tests/fuzz/corpus/.
const std::vector<std::string>& target_names();

/// Feeds `data` to target `target`; returns normally when the input was accepted or rejected as
/// bad input; throws std::logic_error for what would be a bug (an internal error or another
/// exception type), naming it.
void run_target(std::string_view target, std::string_view data);

} // namespace preflight::fuzz
