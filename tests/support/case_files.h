#pragma once
// Data-driven cases: a new case is a new file or folder under tests/cases/<kind>/, discovered at
// run time; each becomes a test named after its path. Header-only so unit tests stay core-only.

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace preflight::testing {

/// Names of the entries directly under tests/cases/<kind> (sorted), optionally only those
/// ending in `suffix`.
inline std::vector<std::string> case_names(const std::string& kind,
                                           const std::string& suffix = {}) {
  std::vector<std::string> names;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::filesystem::path(PREFLIGHT_CASES_DIR) / kind)) {
    auto name = entry.path().filename().string();
    if (suffix.empty() || (name.size() >= suffix.size() &&
                           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)) {
      names.push_back(name);
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

/// The path of a case entry.
inline std::filesystem::path case_path(const std::string& kind, const std::string& name) {
  return std::filesystem::path(PREFLIGHT_CASES_DIR) / kind / name;
}

/// A file's exact bytes ("" if it does not exist).
inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// GoogleTest-safe test name for a case path.
struct CaseName {
  template <class ParamInfo> std::string operator()(const ParamInfo& param_info) const {
    std::string name = param_info.param;
    for (auto& c : name) {
      if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    }
    return name;
  }
};

} // namespace preflight::testing
