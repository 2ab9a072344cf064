#pragma once
// Which target of a fleet may start next: canaries first, then the rest, and no new start once
// the failures allowed are used up. Targets already running always finish (a migration is
// never cut off half-way by another target's failure).

#include <cstddef>
#include <optional>
#include <string>

namespace preflight::fleet {

struct RolloutPolicy {
  std::size_t canary = 0;                  // run this many first; stop if any of them fails
  std::optional<std::size_t> max_failures; // stop starting targets after this many failures
};

class Rollout {
public:
  /// A rollout of `targets` targets, started in order 0…targets-1.
  Rollout(std::size_t targets, RolloutPolicy policy);

  /// The next target to start, or nothing if none may start now (canaries still running, the
  /// rollout stopped, or every target started).
  std::optional<std::size_t> next();
  /// Records that a started target finished.
  void finished(bool ok);
  /// True when no target runs and none will start.
  bool done() const;
  /// Why targets were left out ("" unless the rollout stopped early).
  const std::string& stop_reason() const { return m_stop_reason; }
  std::size_t running() const { return m_running; }
  std::size_t failures() const { return m_failures; }

private:
  std::size_t m_targets;
  RolloutPolicy m_policy;
  std::size_t m_next = 0;
  std::size_t m_running = 0;
  std::size_t m_finished = 0;
  std::size_t m_failures = 0;
  std::string m_stop_reason;
};

} // namespace preflight::fleet
