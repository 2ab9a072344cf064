#include "io/read_limited.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include <fmt/format.h>

#include "core/error.h"

namespace preflight::io {

namespace {

std::string size_text(std::uint64_t bytes) {
  if (bytes % (1ULL << 30) == 0) return fmt::format("{} GiB", bytes >> 30);
  if (bytes % (1ULL << 20) == 0) return fmt::format("{} MiB", bytes >> 20);
  return fmt::format("{} bytes", bytes);
}

} // namespace

std::string too_large_message(const ReadLimit& limit) {
  return fmt::format("{} larger than {} (not read)", limit.what, size_text(limit.max_bytes));
}

ReadStatus read_limited_at(int dir_fd, const std::string& name, std::uint64_t max_bytes,
                           std::string& bytes, int& error) {
  // O_NONBLOCK only for the open: a FIFO nobody writes to would block open() forever.
  int fd = openat(dir_fd, name.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    error = errno;
    return errno == ENOENT ? ReadStatus::not_found : ReadStatus::failed;
  }
  struct CloseFd {
    int fd;
    ~CloseFd() { close(fd); }
  } close_fd{fd};
  struct stat info {};
  if (fstat(fd, &info) != 0) {
    error = errno;
    return ReadStatus::failed;
  }
  // Reading a FIFO that has a writer waits for its data (O_NONBLOCK changes nothing for files).
  if (S_ISFIFO(info.st_mode)) {
    const int flags = fcntl(fd, F_GETFL);
    if (flags >= 0) fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  }
  if (S_ISDIR(info.st_mode)) {
    error = EISDIR;
    return ReadStatus::failed;
  }
  // /dev/zero, /dev/urandom, a terminal: no input file is a device.
  if (S_ISCHR(info.st_mode) || S_ISBLK(info.st_mode)) {
    error = ENODEV;
    return ReadStatus::failed;
  }
  // A regular file says its size: refuse it before reading, and read it in one allocation.
  if (S_ISREG(info.st_mode)) {
    if (static_cast<std::uint64_t>(info.st_size) > max_bytes) return ReadStatus::too_large;
    bytes.reserve(static_cast<std::size_t>(info.st_size));
  }
  char buffer[65536];
  ssize_t n = 0;
  while ((n = read(fd, buffer, sizeof buffer)) != 0) {
    if (n < 0) {
      if (errno == EINTR) continue;
      error = errno;
      return ReadStatus::failed;
    }
    // Devices and pipes have no size: stop as soon as they pass the limit.
    if (bytes.size() + static_cast<std::size_t>(n) > max_bytes) return ReadStatus::too_large;
    bytes.append(buffer, static_cast<std::size_t>(n));
    // A short read of a regular file means its end: save the extra read() that would return 0.
    if (S_ISREG(info.st_mode) && bytes.size() >= static_cast<std::uint64_t>(info.st_size)) break;
  }
  return ReadStatus::ok;
}

std::optional<std::string> read_file_limited(const std::string& path, const ReadLimit& limit) {
  std::string bytes;
  int error = 0;
  switch (read_limited_at(AT_FDCWD, path, limit.max_bytes, bytes, error)) {
  case ReadStatus::ok: return bytes;
  case ReadStatus::not_found: return std::nullopt;
  case ReadStatus::too_large:
    throw Error(ErrorKind::input, too_large_message(limit),
                "preflight reads inputs whole; pass a regular file of a sensible size",
                Location{path, 0, 0});
  case ReadStatus::failed: break;
  }
  if (error == EISDIR || error == ENODEV) {
    throw Error(ErrorKind::input,
                fmt::format("is a {}, not a {}", error == EISDIR ? "folder" : "device", limit.what),
                {}, Location{path, 0, 0});
  }
  throw Error(ErrorKind::input,
              fmt::format("cannot read {}: {}", limit.what,
                          std::error_code(error, std::generic_category()).message()),
              {}, Location{path, 0, 0});
}

} // namespace preflight::io
