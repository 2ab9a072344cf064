#pragma once
// The bundled example (migrations/, benchmarks/) that an installed preflight carries under
// <prefix>/share/preflight/example, for `preflight demo` outside the project's folder.

#include <filesystem>
#include <optional>

namespace preflight::example {

/// The installed example next to the running binary (../share/preflight/example), or nullopt.
std::optional<std::filesystem::path> installed_example();

/// Copies `example` into a new folder under $TMPDIR (else /tmp) and returns that folder; throws
/// an input Error when it cannot.
std::filesystem::path copy_to_temp_folder(const std::filesystem::path& example);

} // namespace preflight::example
