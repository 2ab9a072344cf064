#include "io/migrate/migration_directory.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <thread>

#include <fmt/format.h>

#include "core/error.h"
#include "io/read_limited.h"

namespace fs = std::filesystem;

namespace preflight::migrate {

namespace {

// What a non-regular entry is, in words for messages ("" for a regular file).
std::string file_type_words(mode_t mode) {
  if (S_ISREG(mode)) return {};
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  return "not a regular file";
}

// Why the entry `name` (listed with `type`) is not a regular file, following symbolic links;
// "" when it is one.
std::string not_regular_reason(int dir_fd, const char* name, unsigned char type) {
  if (type == DT_REG) return {};
  if (type == DT_DIR) return "a folder";
  if (type == DT_FIFO) return "a FIFO";
  if (type == DT_SOCK) return "a socket";
  if (type == DT_CHR || type == DT_BLK) return "a device";
  struct stat target {};
  if (fstatat(dir_fd, name, &target, 0) == 0) {
    const std::string what = file_type_words(target.st_mode);
    return what.empty() || type != DT_LNK ? what : "a symbolic link to " + what;
  }
  if (errno == ELOOP) return "a symbolic link loop";
  if (errno == ENOENT) return "a dangling symbolic link (its target does not exist)";
  return "an entry that cannot be examined: " +
         std::error_code(errno, std::generic_category()).message();
}

// The entries directly in the folder, in listing order: regular files (following symbolic links,
// as std::filesystem does) and, with the reason, entries that are not; the error of the listing,
// if it failed.
std::error_code list_entries(int dir_fd, const std::string& prefix,
                             std::vector<SourceFile>& files) {
  // fdopendir owns the descriptor it is given: give it a duplicate, the readers need ours.
  int list_fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
  DIR* listing = list_fd < 0 ? nullptr : fdopendir(list_fd);
  if (listing == nullptr) {
    std::error_code failure(errno, std::generic_category());
    if (list_fd >= 0) close(list_fd);
    return failure;
  }
  std::error_code failure;
  while (true) {
    errno = 0;
    const dirent* entry = readdir(listing);
    if (entry == nullptr) {
      if (errno != 0) failure = std::error_code(errno, std::generic_category());
      break;
    }
    const std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    // Kept, not skipped: one named like a migration must be refused, not silently left out.
    files.push_back({prefix + entry->d_name,
                     std::string(name),
                     {},
                     not_regular_reason(dir_fd, entry->d_name, entry->d_type)});
  }
  closedir(listing);
  return failure;
}

} // namespace

std::vector<SourceFile> read_migration_files(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw Error(ErrorKind::input, "migrations folder not found",
                "pass --source DIR or set `migrations` in preflight.toml", Location{dir, 0, 0});
  }
  // One descriptor for listing and for opening the files relative to it: no path lookups and no
  // stat per entry (the entry type comes with the listing).
  int dir_fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) {
    throw Error(ErrorKind::input,
                "cannot list folder: " + std::error_code(errno, std::generic_category()).message(),
                {}, Location{dir, 0, 0});
  }
  struct CloseDir {
    int fd;
    ~CloseDir() { close(fd); }
  } close_dir{dir_fd};
  const std::string prefix = (fs::path(dir) / "").string();
  std::vector<SourceFile> files;
  if (auto listing_error = list_entries(dir_fd, prefix, files)) {
    throw Error(ErrorKind::input, "cannot list folder: " + listing_error.message(), {},
                Location{dir, 0, 0});
  }
  // Reading is mostly system-call time: one reader per core overlaps it.
  // POSIX reads relative to the folder's descriptor: for thousands of small files, an ifstream
  // and a full path lookup per file cost more than the read itself.
  std::vector<io::ReadStatus> status(files.size(), io::ReadStatus::ok);
  const std::size_t workers = std::min<std::size_t>(
      std::max(1U, std::thread::hardware_concurrency()), files.size() / 256 + 1);
  auto work = [&](std::size_t first) {
    for (std::size_t i = first; i < files.size(); i += workers) {
      if (!files[i].not_regular.empty()) continue;
      int error = 0;
      status[i] = io::read_limited_at(dir_fd, files[i].name, io::k_migration_limit.max_bytes,
                                      files[i].bytes, error);
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t w = 1; w < workers; ++w) threads.emplace_back(work, w);
  work(0);
  for (auto& t : threads) t.join();
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (status[i] == io::ReadStatus::too_large) {
      throw Error(ErrorKind::input, io::too_large_message(io::k_migration_limit), {},
                  Location{files[i].path, 0, 0});
    }
    if (status[i] != io::ReadStatus::ok)
      throw Error(ErrorKind::input, "cannot read file", {}, Location{files[i].path, 0, 0});
  }
  std::sort(files.begin(), files.end(),
            [](const SourceFile& a, const SourceFile& b) { return a.name < b.name; });
  return files;
}

} // namespace preflight::migrate

namespace preflight::migrate {

std::vector<std::string> list_file_names(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return names;
  for (const auto& file : read_migration_files(dir)) names.push_back(file.name);
  return names;
}

std::vector<std::string> create_migration_files(const std::string& dir,
                                                const NewMigration& created) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    throw Error(ErrorKind::input, "cannot create the migrations folder: " + ec.message(), {},
                Location{dir, 0, 0});
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
    const std::string& text = created.texts[i];
    // diesel's migrations are folders of their own.
    fs::create_directories(fs::path(paths[i]).parent_path(), ec);
    // O_EXCL: never overwrite, even a file created since the check above.
    int fd = open(paths[i].c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
      if (errno == EEXIST) {
        throw Error(ErrorKind::input, "file already exists; not overwritten", "choose another name",
                    Location{paths[i], 0, 0});
      }
      throw Error(ErrorKind::input,
                  "cannot create file: " +
                      std::error_code(errno, std::generic_category()).message(),
                  {}, Location{paths[i], 0, 0});
    }
    auto written = write(fd, text.data(), text.size());
    close(fd);
    if (written != static_cast<ssize_t>(text.size())) {
      throw Error(ErrorKind::input, "cannot write file", {}, Location{paths[i], 0, 0});
    }
  }
  return paths;
}

} // namespace preflight::migrate
