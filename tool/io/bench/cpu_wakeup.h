#pragma once
// Keeps this machine's CPUs out of their sleep states while preflight times queries: a PM QoS
// request for 0 µs CPU wake-up latency through /dev/cpu_dma_latency, the request cyclictest
// makes. An idle CPU then polls instead of halting. A halted vCPU takes tens to hundreds of µs
// to wake, twice per round trip (client and server process), and differently on each CPU:
// on the 2-core VM of docs/measured.md, SELECT 1 over a unix socket took 0.21-0.27 ms with
// the CPUs allowed to sleep and 0.03 ms held awake.

#include <string>

namespace preflight::bench {

class CpuWakeupRequest {
public:
  /// Asks the kernel for 0 µs CPU wake-up latency until this object is destroyed. Never
  /// throws: when the request cannot be made (not root, no such device) held() is false and
  /// note() says why.
  static CpuWakeupRequest hold();

  /// Makes no request (--allow-cpu-sleep); note() says so.
  static CpuWakeupRequest allow_sleep();

  CpuWakeupRequest(CpuWakeupRequest&& other) noexcept;
  CpuWakeupRequest& operator=(CpuWakeupRequest&& other) noexcept;
  CpuWakeupRequest(const CpuWakeupRequest&) = delete;
  CpuWakeupRequest& operator=(const CpuWakeupRequest&) = delete;
  ~CpuWakeupRequest(); // closing the device withdraws the request

  bool held() const { return m_fd >= 0; }

  /// Why the request is not held ("" when it is).
  const std::string& note() const { return m_note; }

private:
  CpuWakeupRequest(int fd, std::string note) : m_fd(fd), m_note(std::move(note)) {}

  int m_fd = -1;
  std::string m_note;
};

} // namespace preflight::bench
