#pragma once
// Ctrl-C during a measurement that must keep what it measured (`bench load`): while an
// InterruptScope lives, SIGINT and SIGTERM set a flag and cancel the statements every session
// runs, instead of ending the process; a second signal ends it as usual (clusters removed).

#include <atomic>

namespace preflight::bench {

class InterruptScope {
public:
  /// Installs the handlers (signals ignored at start stay ignored).
  InterruptScope();
  /// Puts the previous handlers back.
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

  /// Set once a signal arrived.
  const std::atomic<bool>& flag() const;
  /// The signal that arrived (0: none).
  int signal_number() const;
};

} // namespace preflight::bench
