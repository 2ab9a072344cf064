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
      json run{{"name", name},
               {"family_index", family++},
               {"per_family_instance_index", 0},
               {"run_name", name},
               {"run_type", "iteration"},
               {"repetitions", 1},
               {"repetition_index", 0},
               {"threads", 1},
               {"iterations", s.count},
               {"real_time", s.p50},
               {"cpu_time", s.p50},
               {"time_unit", "ms"},
               {"p95_ms", s.p95},
               {"p99_ms", s.p99},
               {"min_ms", s.min},
               {"max_ms", s.max}};
      benchmarks.push_back(run);
      // compare.py and Bencher look for these aggregates by suffix and aggregate_name.
      const std::pair<const char*, double> aggregates[] = {
          {"mean", s.mean}, {"median", s.p50}, {"stddev", s.stddev}};
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
