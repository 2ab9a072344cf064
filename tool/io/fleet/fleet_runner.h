#pragma once
// Runs one job per target on up to N threads, under a rollout policy (canaries, failures
// allowed). Each job opens its own connection, so targets share nothing but the output.

#include <cstddef>
#include <functional>
#include <vector>

#include "core/config/targets.h"
#include "core/fleet/fleet_report.h"
#include "core/fleet/rollout.h"

namespace preflight::fleet {

/// The most jobs one run keeps in flight (each holds a connection or two).
inline constexpr std::size_t k_max_parallel = 32;

struct RunnerOptions {
  std::size_t parallel = 4;
  RolloutPolicy policy;
};

/// Does the command's work on one target. Its outcome's name, duration and (on an exception)
/// result are filled in by the runner: a job that throws Error(history) is a history mismatch,
/// any other exception a failure.
using TargetJob = std::function<TargetOutcome(const config::TargetSpec& target)>;

/// Called after each target finishes (from the thread that ran it, one call at a time).
using ProgressCallback = std::function<void(const TargetOutcome& outcome, std::size_t finished,
                                            std::size_t running, std::size_t failed)>;

/// Runs `job` on every target; returns each target's outcome in the targets' order (targets
/// the rollout left out are `skipped`).
std::vector<TargetOutcome> run_targets(const std::vector<config::TargetSpec>& targets,
                                       const RunnerOptions& options, const TargetJob& job,
                                       const ProgressCallback& progress, std::string& stop_reason);

/// The error text a report shows for a failed target: headline, hint and further problems.
std::string describe_error(const Error& error);

} // namespace preflight::fleet
