#include "io/migrate/migration_directory.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace fs = std::filesystem;

namespace preflight::migrate {

std::vector<SourceFile> read_migration_files(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw Error(ErrorKind::input, "migrations folder not found", "pass --source DIR or set `migrations` in preflight.toml",
                Location{dir, 0, 0});
  }
  std::vector<SourceFile> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    if (!in) throw Error(ErrorKind::input, "cannot read file", {}, Location{entry.path().string(), 0, 0});
    std::ostringstream bytes;
    bytes << in.rdbuf();
    files.push_back({entry.path().string(), entry.path().filename().string(), bytes.str()});
  }
  if (ec) throw Error(ErrorKind::input, "cannot list folder: " + ec.message(), {}, Location{dir, 0, 0});
  std::sort(files.begin(), files.end(), [](const SourceFile& a, const SourceFile& b) { return a.name < b.name; });
  return files;
}

MigrationSet load_migrations(const std::string& dir) { return discover_migrations(read_migration_files(dir)); }

}  // namespace preflight::migrate
