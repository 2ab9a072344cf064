#include "io/example/bundled_example.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <stdlib.h>

#include "core/error.h"

namespace preflight::example {

namespace fs = std::filesystem;

std::optional<fs::path> installed_example() {
  std::error_code error;
  const auto binary = fs::read_symlink("/proc/self/exe", error);
  if (error) return std::nullopt;
  auto example = binary.parent_path().parent_path() / "share" / "preflight" / "example";
  if (!fs::exists(example / "benchmarks" / "focus_sessions.toml", error)) return std::nullopt;
  return example;
}

fs::path copy_to_temp_folder(const fs::path& example) {
  const char* tmp = std::getenv("TMPDIR");
  const std::string base = tmp && *tmp ? tmp : "/tmp";
  std::string pattern = base + "/preflight-demo-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (!mkdtemp(buffer.data())) {
    throw Error(ErrorKind::input,
                fmt::format("cannot create a folder for the bundled example in {}: {}", base,
                            std::strerror(errno)),
                "set TMPDIR to a writable folder");
  }
  const fs::path folder = fs::absolute(buffer.data());
  std::error_code error;
  fs::copy(example, folder, fs::copy_options::recursive, error);
  if (error) {
    throw Error(ErrorKind::input, fmt::format("cannot copy the bundled example {} to {}: {}",
                                              example.string(), folder.string(), error.message()));
  }
  return folder;
}

} // namespace preflight::example
