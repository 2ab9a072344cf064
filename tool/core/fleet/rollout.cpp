#include "core/fleet/rollout.h"

#include <algorithm>

#include <fmt/format.h>

namespace preflight::fleet {

Rollout::Rollout(std::size_t targets, RolloutPolicy policy) : m_targets(targets), m_policy(policy) {
  m_policy.canary = std::min(m_policy.canary, targets);
}

std::optional<std::size_t> Rollout::next() {
  if (!m_stop_reason.empty() || m_next >= m_targets) return std::nullopt;
  // The canaries must all have finished, and succeeded, before any other target starts.
  if (m_next >= m_policy.canary && m_finished < m_policy.canary) return std::nullopt;
  ++m_running;
  return m_next++;
}

void Rollout::finished(bool ok) {
  --m_running;
  ++m_finished;
  if (!ok) ++m_failures;
  if (!m_stop_reason.empty() || m_next >= m_targets) return;
  // Until every canary finished no other target started: a failure now is a canary's.
  if (!ok && m_finished <= m_policy.canary) {
    m_stop_reason = fmt::format(
        "a canary failed (--canary {}): the targets after the canaries were not started",
        m_policy.canary);
  } else if (m_policy.max_failures && m_failures >= *m_policy.max_failures) {
    m_stop_reason =
        *m_policy.max_failures == 1
            ? std::string("a target failed (--fail-fast): the other targets were not started")
            : fmt::format("{} targets failed (--max-failures {}): the other targets were not "
                          "started",
                          m_failures, *m_policy.max_failures);
  }
}

bool Rollout::done() const {
  return m_running == 0 && (m_next >= m_targets || !m_stop_reason.empty());
}

} // namespace preflight::fleet
