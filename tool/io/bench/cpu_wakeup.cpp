#include "io/bench/cpu_wakeup.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <utility>

#include <fmt/format.h>

namespace preflight::bench {

namespace {
constexpr const char* k_device = "/dev/cpu_dma_latency";
}

CpuWakeupRequest CpuWakeupRequest::hold() {
  const int fd = ::open(k_device, O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    return {-1, fmt::format("{}: {}{}", k_device, std::strerror(error),
                            error == EACCES || error == EPERM ? " (only root may hold it)" : "")};
  }
  // The kernel takes a binary 32-bit value in µs and keeps the request while the file is open.
  const std::int32_t microseconds = 0;
  if (::write(fd, &microseconds, sizeof microseconds) !=
      static_cast<ssize_t>(sizeof microseconds)) {
    const int error = errno;
    ::close(fd);
    return {-1, fmt::format("{}: {}", k_device, std::strerror(error))};
  }
  return {fd, ""};
}

CpuWakeupRequest CpuWakeupRequest::allow_sleep() {
  return {-1, "not requested (--allow-cpu-sleep)"};
}

CpuWakeupRequest::CpuWakeupRequest(CpuWakeupRequest&& other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)), m_note(std::move(other.m_note)) {}

CpuWakeupRequest& CpuWakeupRequest::operator=(CpuWakeupRequest&& other) noexcept {
  if (this != &other) {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = std::exchange(other.m_fd, -1);
    m_note = std::move(other.m_note);
  }
  return *this;
}

CpuWakeupRequest::~CpuWakeupRequest() {
  if (m_fd >= 0) ::close(m_fd);
}

} // namespace preflight::bench
