#pragma once
// Where a benchmark ran: server version and the settings that change its numbers, the machine,
// and whether the server was a throwaway cluster without durability.

#include "core/bench/results.h"
#include "io/pg/pg_session.h"

namespace preflight::bench {

/// Settings recorded in every results file (planner, memory, durability).
inline constexpr const char* k_recorded_settings[] = {"fsync",
                                                      "synchronous_commit",
                                                      "full_page_writes",
                                                      "shared_buffers",
                                                      "work_mem",
                                                      "random_page_cost",
                                                      "effective_cache_size",
                                                      "jit",
                                                      "plan_cache_mode",
                                                      "max_parallel_workers_per_gather"};

/// Reads the server's version and settings and this machine's name, CPUs and kernel.
Environment collect_environment(pg::PgSession& session, bool throwaway_cluster);

} // namespace preflight::bench
