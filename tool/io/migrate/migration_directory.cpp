#include "io/migrate/migration_directory.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <thread>

#include <fmt/format.h>

#include "core/error.h"

namespace fs = std::filesystem;

namespace preflight::migrate {

namespace {

// POSIX reads relative to the folder's descriptor: for thousands of small files, an ifstream and
// a full path lookup per file cost more than the read itself.
bool read_whole_file(int dir_fd, const std::string& name, std::string& bytes) {
  int fd = openat(dir_fd, name.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buffer[65536];
  ssize_t n = 0;
  while ((n = read(fd, buffer, sizeof buffer)) > 0) {
    bytes.append(buffer, static_cast<std::size_t>(n));
    // A short read of a regular file means its end: save the extra read() that would return 0.
    if (static_cast<std::size_t>(n) < sizeof buffer) break;
  }
  close(fd);
  return n >= 0;
}

}  // namespace

std::vector<SourceFile> read_migration_files(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw Error(ErrorKind::input, "migrations folder not found", "pass --source DIR or set `migrations` in preflight.toml",
                Location{dir, 0, 0});
  }
  std::vector<SourceFile> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file()) continue;
    files.push_back({entry.path().string(), entry.path().filename().string(), {}});
  }
  if (ec) throw Error(ErrorKind::input, "cannot list folder: " + ec.message(), {}, Location{dir, 0, 0});
  // Reading is mostly system-call time; two readers overlap it on a multi-core machine.
  int dir_fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) throw Error(ErrorKind::input, "cannot open folder", {}, Location{dir, 0, 0});
  struct CloseDir {
    int fd;
    ~CloseDir() { close(fd); }
  } close_dir{dir_fd};
  std::vector<char> failed(files.size(), 0);
  auto work = [&](std::size_t first, std::size_t step) {
    for (std::size_t i = first; i < files.size(); i += step) {
      failed[i] = read_whole_file(dir_fd, files[i].name, files[i].bytes) ? 0 : 1;
    }
  };
  if (files.size() >= 512 && std::thread::hardware_concurrency() > 1) {
    std::thread other(work, 1, 2);
    work(0, 2);
    other.join();
  } else {
    work(0, 1);
  }
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (failed[i]) throw Error(ErrorKind::input, "cannot read file", {}, Location{files[i].path, 0, 0});
  }
  std::sort(files.begin(), files.end(), [](const SourceFile& a, const SourceFile& b) { return a.name < b.name; });
  return files;
}

MigrationSet load_migrations(const std::string& dir, const DiscoveryOptions& options) {
  return discover_migrations(read_migration_files(dir), options);
}

}  // namespace preflight::migrate

namespace preflight::migrate {

std::vector<std::string> list_file_names(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return names;
  for (const auto& file : read_migration_files(dir)) names.push_back(file.name);
  return names;
}

std::string utc_timestamp_now() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[16];
  std::strftime(text, sizeof text, "%Y%m%d%H%M%S", &utc);
  return text;
}

std::vector<std::string> create_migration_files(const std::string& dir, const NewMigration& created) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error(ErrorKind::input, "cannot create the migrations folder: " + ec.message(), {}, Location{dir, 0, 0});
  std::vector<std::string> paths;
  for (const auto& name : created.names) {
    auto path = (fs::path(dir) / name).string();
    if (fs::exists(path, ec)) {
      throw Error(ErrorKind::input, "file already exists; not overwritten", "choose another name",
                  Location{path, 0, 0});
    }
    paths.push_back(path);
  }
  for (std::size_t i = 0; i < paths.size(); ++i) {
    const bool down = created.names[i].size() > 9 &&
                      created.names[i].compare(created.names[i].size() - 9, 9, ".down.sql") == 0;
    const std::string text = down ? fmt::format("-- Revert {}: write the SQL that undoes the .up.sql file here\n",
                                                created.description)
                                  : fmt::format("-- {}: write the migration's SQL here\n", created.description);
    // O_EXCL: never overwrite, even a file created since the check above.
    int fd = open(paths[i].c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) throw Error(ErrorKind::input, "cannot create file (it may exist already)", {}, Location{paths[i], 0, 0});
    auto written = write(fd, text.data(), text.size());
    close(fd);
    if (written != static_cast<ssize_t>(text.size())) {
      throw Error(ErrorKind::input, "cannot write file", {}, Location{paths[i], 0, 0});
    }
  }
  return paths;
}

}  // namespace preflight::migrate
