// Side-by-side timing on one CPU: this thread and two backends of the project's throwaway
// cluster are moved onto one CPU while a SharedCpu lives, and put back afterwards.

#include <gtest/gtest.h>

#include <sched.h>

#include <fstream>
#include <string>

#include "io/bench/shared_cpu.h"
#include "support/test_cluster.h"

using namespace preflight;
using namespace preflight::testing;

namespace {

// "Cpus_allowed_list" of /proc/<pid>/status, e.g. "0-1" or "1".
std::string allowed_cpus(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("Cpus_allowed_list:", 0) == 0)
      return line.substr(line.find_first_not_of(" \t", 18));
  }
  return "";
}

int allowed_count_of_this_thread() {
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  sched_getaffinity(0, sizeof cpus, &cpus);
  return CPU_COUNT(&cpus);
}

TEST(SharedCpu, MovesThisThreadAndBothBackendsOntoOneCpuAndBack) {
  TestDatabase db;
  auto first = db.connect();
  auto second = db.connect();
  const auto first_before = allowed_cpus(first->backend_pid());
  const auto second_before = allowed_cpus(second->backend_pid());
  const int thread_before = allowed_count_of_this_thread();
  ASSERT_FALSE(first_before.empty());
  {
    auto shared = bench::SharedCpu::pin({first.get(), second.get()});
    ASSERT_TRUE(shared.pinned()) << shared.note();
    EXPECT_EQ(shared.note(), "");
    const auto cpu = std::to_string(shared.cpu());
    EXPECT_EQ(allowed_cpus(first->backend_pid()), cpu);
    EXPECT_EQ(allowed_cpus(second->backend_pid()), cpu);
    EXPECT_EQ(allowed_count_of_this_thread(), 1);
    auto moved = std::move(shared); // the moved-to object restores, the moved-from one does not
    EXPECT_TRUE(moved.pinned());
    EXPECT_EQ(allowed_cpus(first->backend_pid()), cpu);
  }
  EXPECT_EQ(allowed_cpus(first->backend_pid()), first_before);
  EXPECT_EQ(allowed_cpus(second->backend_pid()), second_before);
  EXPECT_EQ(allowed_count_of_this_thread(), thread_before);
  EXPECT_EQ(first->exec("SELECT 1").get(0, 0), "1"); // the sessions work on
}

} // namespace
