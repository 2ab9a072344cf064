#include "io/fleet/fleet_runner.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace preflight::fleet {

std::string describe_error(const Error& error) {
  std::string text = error.headline();
  if (!error.hint().empty()) text += "\nhint: " + error.hint();
  for (const auto& more : error.more()) text += "\n" + describe_error(more);
  return text;
}

namespace {

TargetOutcome run_one(const config::TargetSpec& target, const TargetJob& job) {
  const auto start = std::chrono::steady_clock::now();
  TargetOutcome outcome;
  try {
    outcome = job(target);
  } catch (const Error& e) {
    outcome.result =
        e.kind() == ErrorKind::history ? TargetResult::history_mismatch : TargetResult::failed;
    outcome.summary = e.message();
    outcome.detail = describe_error(e);
  } catch (const std::exception& e) {
    outcome.result = TargetResult::failed;
    outcome.summary = std::string("internal error: ") + e.what();
    outcome.detail = outcome.summary;
  }
  outcome.name = target.name;
  outcome.duration_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start)
          .count();
  return outcome;
}

} // namespace

std::vector<TargetOutcome> run_targets(const std::vector<config::TargetSpec>& targets,
                                       const RunnerOptions& options, const TargetJob& job,
                                       const ProgressCallback& progress, std::string& stop_reason) {
  std::vector<TargetOutcome> outcomes(targets.size());
  for (std::size_t i = 0; i < targets.size(); ++i) outcomes[i].name = targets[i].name;
  Rollout rollout(targets.size(), options.policy);
  std::mutex mutex;
  std::condition_variable changed;
  std::size_t finished = 0;

  // Each worker takes the next target the rollout allows, or waits until one finishes (the
  // canaries' results decide whether the rest start).
  const auto worker = [&] {
    std::unique_lock lock(mutex);
    for (;;) {
      std::optional<std::size_t> index;
      changed.wait(lock, [&] { return (index = rollout.next()).has_value() || rollout.done(); });
      if (!index) return;
      lock.unlock();
      TargetOutcome outcome = run_one(targets[*index], job);
      lock.lock();
      const bool ok = outcome.result == TargetResult::ok;
      outcomes[*index] = std::move(outcome);
      rollout.finished(ok);
      ++finished;
      if (progress) {
        progress(outcomes[*index], finished, rollout.running(), rollout.failures());
      }
      changed.notify_all();
    }
  };
  const std::size_t threads = std::clamp<std::size_t>(options.parallel, 1, k_max_parallel);
  std::vector<std::thread> pool;
  for (std::size_t i = 0; i < std::min(threads, std::max<std::size_t>(targets.size(), 1)); ++i)
    pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  stop_reason = rollout.stop_reason();
  return outcomes;
}

} // namespace preflight::fleet
