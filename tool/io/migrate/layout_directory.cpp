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

NewMigrationFolder read_new_migration_folder(const std::string& dir, const std::string& name) {
  std::error_code ec;
  const auto files = fs::exists(dir, ec) ? read_layout_files(dir) : std::vector<SourceFile>{};
  NewMigrationFolder folder;
  folder.layout = resolve_layout(name, files);
  for (const auto& file : files) folder.names.push_back(file.name);
  return folder;
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
