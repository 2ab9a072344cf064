#include "io/bench/shared_cpu.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include <fmt/format.h>

namespace preflight::bench {

namespace {

// The parent of process `pid` per /proc, or -1.
pid_t parent_of(pid_t pid) {
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  std::string stat;
  std::getline(in, stat);
  // "pid (comm) state ppid …": comm may contain spaces and parentheses; the last ')' ends it.
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream rest(stat.substr(close + 1));
  std::string state;
  pid_t ppid = -1;
  rest >> state >> ppid;
  return rest ? ppid : -1;
}

// The server process behind `session` when it is on this machine, or -1 with `why` set. The
// backend PID the server reports is only trusted when the unix socket's peer (the postmaster,
// which listened on it) is that process's parent: a PID from a server elsewhere, or in another
// PID namespace, never names a local process that could be moved by mistake.
pid_t local_backend(pg::PgSession& session, std::string& why) {
  const int fd = session.socket();
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (fd < 0 || getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0 ||
      address.ss_family != AF_UNIX) {
    why = "the server is not reached over a unix socket";
    return -1;
  }
  ucred peer{};
  socklen_t peer_length = sizeof peer;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &peer_length) != 0 || peer.pid <= 0) {
    why = "the server's process is not visible from here";
    return -1;
  }
  const pid_t backend = session.backend_pid();
  if (backend <= 0 || parent_of(backend) != peer.pid) {
    why = "the server's process is not visible from here";
    return -1;
  }
  return backend;
}

} // namespace

SharedCpu SharedCpu::pin(const std::vector<pg::PgSession*>& sessions) {
  SharedCpu shared;
  std::vector<pid_t> pids{0};
  for (auto* session : sessions) {
    const pid_t backend = local_backend(*session, shared.m_note);
    if (backend < 0) return shared;
    pids.push_back(backend);
  }
  shared.m_cpu = sched_getcpu();
  if (shared.m_cpu < 0) {
    shared.m_note = fmt::format("sched_getcpu: {}", std::strerror(errno));
    return shared;
  }
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(static_cast<std::size_t>(shared.m_cpu), &one);
  for (const pid_t pid : pids) {
    Saved saved{pid, {}};
    if (sched_getaffinity(pid, sizeof saved.cpus, &saved.cpus) != 0 ||
        sched_setaffinity(pid, sizeof one, &one) != 0) {
      const int error = errno;
      shared.restore();
      shared.m_note = fmt::format("moving {} to CPU {}: {}",
                                  pid == 0 ? "this process" : fmt::format("process {}", pid),
                                  shared.m_cpu, std::strerror(error));
      return shared;
    }
    shared.m_saved.push_back(saved);
  }
  return shared;
}

SharedCpu::SharedCpu(SharedCpu&& other) noexcept
    : m_cpu(other.m_cpu), m_note(std::move(other.m_note)),
      m_saved(std::exchange(other.m_saved, {})) {}

SharedCpu::~SharedCpu() {
  restore();
}

void SharedCpu::restore() noexcept {
  // A backend that has exited meanwhile has nothing to restore; that error is expected.
  for (const auto& saved : m_saved) sched_setaffinity(saved.pid, sizeof saved.cpus, &saved.cpus);
  m_saved.clear();
}

} // namespace preflight::bench
