#include "io/migrate/layout_directory.h"

#include <algorithm>
#include <filesystem>

#include "core/error.h"
#include "core/migrate/source_entry.h"
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

Layout resolve_layout(const std::string& name, const std::vector<SourceFile>& files) {
  if (name.empty()) return detect_layout(files);
  if (auto layout = layout_from_name(name)) return *layout;
  throw Error(ErrorKind::usage, "unknown layout \"" + name + "\"",
              "known layouts: " + layout_names());
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
  auto files = read_layout_files(dir);
  // Before any layout reads them: an SQL name that is not a readable regular file (a FIFO, a
  // folder, a dangling link) would otherwise pass for an empty script, and every layout has
  // one where an empty script is a silent no-op.
  std::vector<Error> unreadable;
  for (const auto& file : files) {
    if (file.name.size() >= 4 && file.name.compare(file.name.size() - 4, 4, ".sql") == 0) {
      if (auto problem = check_migration_entry(file)) unreadable.push_back(std::move(*problem));
    }
  }
  if (!unreadable.empty()) throw Error::combine(unreadable);
  const Layout chosen = resolve_layout(layout, files);
  if (chosen_out != nullptr) *chosen_out = chosen;
  LayoutOptions layout_options;
  if (chosen == Layout::goose) {
    for (char** variable = environ; variable != nullptr && *variable != nullptr; ++variable) {
      const std::string entry(*variable);
      auto equals = entry.find('=');
      if (equals != std::string::npos)
        layout_options.environment.emplace(entry.substr(0, equals), entry.substr(equals + 1));
    }
  }
  return discover_layout(chosen, std::move(files), options, layout_options);
}

} // namespace preflight::migrate
