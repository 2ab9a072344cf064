#include "core/bench/gbench.h"

namespace preflight::bench {

nlohmann::json to_gbench_json(const Results& results) {
  using nlohmann::json;
  const auto& e = results.environment;
  json context{{"date", e.started_at},
               {"host_name", e.host_name},
               {"executable", "preflight bench run " + results.suite_file},
               {"num_cpus", e.cpus},
               {"mhz_per_cpu", 0},
               {"cpu_scaling_enabled", false},
               {"caches", json::array()},
               {"load_avg", json::array()},
               {"library_build_type", "release"},
               {"postgresql_version", e.server_version},
               {"durable", e.durable}};
  json benchmarks = json::array();
  std::size_t family = 0;
  for (const auto& q : results.queries) {
    for (const auto& p : q.phases) {
      const std::string name = q.name + "/" + p.phase;
      const auto& s = p.summary;
      // Microseconds: compare.py prints times as whole numbers of the unit, and most queries
      // take well under a millisecond.
      const auto us = [](double ms) { return ms * 1000; };
      json run{{"name", name},
               {"family_index", family++},
               {"per_family_instance_index", 0},
               {"run_name", name},
               {"run_type", "iteration"},
               {"repetitions", 1},
               {"repetition_index", 0},
               {"threads", 1},
               {"iterations", s.count},
               {"real_time", us(s.p50)},
               {"cpu_time", us(s.p50)},
               {"time_unit", "us"},
               {"p95_us", us(s.p95)},
               {"p99_us", us(s.p99)},
               {"min_us", us(s.min)},
               {"max_us", us(s.max)}};
      benchmarks.push_back(run);
      // compare.py and Bencher look for these aggregates by suffix and aggregate_name.
      const std::pair<const char*, double> aggregates[] = {
          {"mean", us(s.mean)}, {"median", us(s.p50)}, {"stddev", us(s.stddev)}};
      for (const auto& [aggregate, value] : aggregates) {
        json a = run;
        a["name"] = name + "_" + aggregate;
        a["run_type"] = "aggregate";
        a["aggregate_name"] = aggregate;
        a["aggregate_unit"] = "time";
        a["real_time"] = value;
        a["cpu_time"] = value;
        benchmarks.push_back(std::move(a));
      }
    }
  }
  return {{"context", context}, {"benchmarks", benchmarks}};
}

} // namespace preflight::bench
