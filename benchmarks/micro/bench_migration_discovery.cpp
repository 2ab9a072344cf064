// Discovery and checksums of a large migration folder: the work `migrate status` does before it
// talks to the server.

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "core/migrate/migration_set.h"

namespace {

std::vector<preflight::migrate::SourceFile> make_files(int count) {
  std::vector<preflight::migrate::SourceFile> files;
  for (int i = 1; i <= count; ++i) {
    std::string name = std::to_string(i) + "_table_" + std::to_string(i) + ".sql";
    std::string sql = "CREATE TABLE t" + std::to_string(i) + " (id bigint PRIMARY KEY, v text);\n" +
                      "CREATE INDEX ON t" + std::to_string(i) + " (v);\n" + "INSERT INTO t" +
                      std::to_string(i) + " SELECT g, g::text FROM generate_series(1, 10) g;\n";
    files.push_back({name, name, sql});
  }
  return files;
}

void BM_DiscoverMigrations(benchmark::State& state) {
  auto files = make_files(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(preflight::migrate::discover_migrations(files));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_DiscoverMigrations)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

void BM_Sha384(benchmark::State& state) {
  std::string bytes(static_cast<std::size_t>(state.range(0)), 'x');
  for (auto _ : state) benchmark::DoNotOptimize(preflight::migrate::sha384(bytes));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Sha384)->Arg(1024)->Arg(1 << 20);

} // namespace
