#include "io/migrate/layout_directory.h"

#include <algorithm>
#include <filesystem>

#include "io/migrate/migration_directory.h"

extern char** environ; // POSIX: the process environment, for goose's ENVSUB

namespace fs = std::filesystem;

namespace preflight::migrate {

std::vector<SourceFile> read_layout_files(const std::string& dir) {
  auto files = read_migration_files(dir);
  std::error_code ec;
  std::vector<std::string> folders;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_error;
    if (it->is_directory(type_error)) folders.push_back(it->path().filename().string());
  }
  std::sort(folders.begin(), folders.end());
  for (const auto& folder : folders) {
    for (auto& file : read_migration_files((fs::path(dir) / folder).string())) {
      file.name = folder + "/" + file.name;
      files.push_back(std::move(file));
    }
  }
  std::sort(files.begin(), files.end(),
            [](const SourceFile& a, const SourceFile& b) { return a.name < b.name; });
  return files;
}

Layout folder_layout(const std::string& dir, const std::string& name) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return resolve_layout(name, {});
  return resolve_layout(name, read_layout_files(dir));
}

std::vector<std::string> list_layout_names(const std::string& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return {};
  std::vector<std::string> names;
  for (const auto& file : read_layout_files(dir)) names.push_back(file.name);
  return names;
}

MigrationSet load_layout_migrations(const std::string& dir, const std::string& layout,
                                    const DiscoveryOptions& options, Layout* chosen_out) {
  // goose's ENVSUB reads the environment; the other layouts ignore it.
  LayoutOptions layout_options;
  for (char** variable = environ; variable != nullptr && *variable != nullptr; ++variable) {
    const std::string entry(*variable);
    auto equals = entry.find('=');
    if (equals != std::string::npos)
      layout_options.environment.emplace(entry.substr(0, equals), entry.substr(equals + 1));
  }
  return discover_folder(read_layout_files(dir), layout, options, layout_options, chosen_out);
}

} // namespace preflight::migrate
