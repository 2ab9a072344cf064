// Detecting a folder's layout and planning `migrate up` of 10,000 migrations in each layout: the
// work before preflight talks to the server. Arg 1 parses every script (up, lint); arg 0 only
// reads names, directives and checksums (status, verify).

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/migrate/history.h"
#include "core/migrate/layouts/layout.h"

namespace {

using preflight::migrate::Layout;
using preflight::migrate::SourceFile;

std::string up_sql(int i) {
  return fmt::format("CREATE TABLE t{0} (id bigint PRIMARY KEY, v text);\n"
                     "CREATE INDEX ON t{0} (v);\n"
                     "INSERT INTO t{0} SELECT g, g::text FROM generate_series(1, 10) g;\n",
                     i);
}

std::string down_sql(int i) {
  return fmt::format("DROP TABLE t{};\n", i);
}

void add(std::vector<SourceFile>& files, std::string name, std::string bytes) {
  files.push_back({"migrations/" + name, name, std::move(bytes)});
}

// `dotted`: Flyway versions 1.1, 1.2, …, ordered by rank (core/migrate/flyway_version.h).
std::vector<SourceFile> make_files(Layout layout, int count, bool dotted) {
  std::vector<SourceFile> files;
  for (int i = 1; i <= count; ++i) {
    switch (layout) {
    case Layout::sqlx: add(files, fmt::format("{:05}_t{}.sql", i, i), up_sql(i)); break;
    case Layout::golang_migrate:
      // Titles of a pair may differ in golang-migrate, not in sqlx: that tells them apart.
      add(files, fmt::format("{:05}_t{}.up.sql", i, i), up_sql(i));
      add(files, fmt::format("{:05}_drop_t{}.down.sql", i, i), down_sql(i));
      break;
    case Layout::goose:
      add(files, fmt::format("{:05}_t{}.sql", i, i),
          "-- +goose Up\n" + up_sql(i) + "\n-- +goose Down\n" + down_sql(i));
      break;
    case Layout::dbmate:
      add(files, fmt::format("2024{:010}_t{}.sql", i, i),
          "-- migrate:up\n" + up_sql(i) + "\n-- migrate:down\n" + down_sql(i));
      break;
    case Layout::flyway: {
      const std::string version = dotted ? fmt::format("1.{}", i) : std::to_string(i);
      add(files, fmt::format("V{}__t{}.sql", version, i), up_sql(i));
      add(files, fmt::format("U{}__t{}.sql", version, i), down_sql(i));
      break;
    }
    case Layout::diesel: {
      const std::string folder = fmt::format("2024-01-01-{:06}_t{}", i, i);
      add(files, folder + "/up.sql", up_sql(i));
      add(files, folder + "/down.sql", down_sql(i));
      break;
    }
    }
  }
  std::sort(files.begin(), files.end(),
            [](const SourceFile& a, const SourceFile& b) { return a.name < b.name; });
  return files;
}

void BM_DetectAndPlan(benchmark::State& state, Layout layout, bool dotted) {
  const auto files = make_files(layout, static_cast<int>(state.range(0)), dotted);
  const preflight::migrate::DiscoveryOptions options{state.range(1) != 0};
  for (auto _ : state) {
    auto copy = files;
    const Layout detected = preflight::migrate::detect_layout(copy);
    if (detected != layout) state.SkipWithError("detected another layout");
    auto set = preflight::migrate::discover_layout(detected, std::move(copy), options);
    auto plan = preflight::migrate::plan_up(set, {}, {});
    benchmark::DoNotOptimize(plan);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

#define LAYOUT_BENCHMARK(name, layout, dotted)                                                     \
  BENCHMARK_CAPTURE(BM_DetectAndPlan, name, layout, dotted)                                        \
      ->Args({10000, 0})                                                                           \
      ->Args({10000, 1})                                                                           \
      ->Unit(benchmark::kMillisecond)                                                              \
      ->MeasureProcessCPUTime()                                                                    \
      ->UseRealTime()

LAYOUT_BENCHMARK(sqlx, Layout::sqlx, false);
LAYOUT_BENCHMARK(golang_migrate, Layout::golang_migrate, false);
LAYOUT_BENCHMARK(goose, Layout::goose, false);
LAYOUT_BENCHMARK(dbmate, Layout::dbmate, false);
LAYOUT_BENCHMARK(flyway, Layout::flyway, false);
LAYOUT_BENCHMARK(flyway_dotted, Layout::flyway, true);
LAYOUT_BENCHMARK(diesel, Layout::diesel, false);

} // namespace
