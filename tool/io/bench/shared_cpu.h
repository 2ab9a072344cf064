#pragma once
// Side-by-side timing on one CPU. Timing two server processes in alternation cancels a drift of
// the machine's speed over time, but not a difference between CPUs: on the 2-core VM of
// docs/measured.md, one vCPU ran the same loop 1.5x slower than the other for seconds at a time,
// and a pair of backends that landed on different vCPUs then differed by +40-60 % in an A/A
// comparison. With this thread and both backends on the same CPU, every sample of either side
// runs where the other's do.

#include <sched.h>

#include <string>
#include <vector>

#include "io/pg/pg_session.h"

namespace preflight::bench {

class SharedCpu {
public:
  /// Moves this thread and the server processes behind `sessions` onto the CPU this thread is
  /// running on, until destroyed (then restores their previous CPU sets). Only for servers on
  /// this machine, reached over a unix socket, whose processes this process may move; never
  /// throws: otherwise pinned() is false and note() says why.
  static SharedCpu pin(const std::vector<pg::PgSession*>& sessions);

  SharedCpu(SharedCpu&& other) noexcept;
  SharedCpu& operator=(SharedCpu&&) = delete;
  SharedCpu(const SharedCpu&) = delete;
  SharedCpu& operator=(const SharedCpu&) = delete;
  ~SharedCpu();

  bool pinned() const { return !m_saved.empty(); }
  int cpu() const { return m_cpu; }
  /// Why the processes were not pinned ("" when they were).
  const std::string& note() const { return m_note; }

private:
  struct Saved {
    pid_t pid; // 0: this thread
    cpu_set_t cpus;
  };

  SharedCpu() = default;
  void restore() noexcept;

  int m_cpu = -1;
  std::string m_note;
  std::vector<Saved> m_saved; // this thread and each backend, as they were; empty: not pinned
};

} // namespace preflight::bench
