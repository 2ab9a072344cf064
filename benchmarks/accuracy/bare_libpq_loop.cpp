// The least a client can do to time a prepared statement: libpq, one connection, one
// PQexecPrepared between two steady_clock reads, nothing else. benchmarks/accuracy.sh runs it
// beside preflight and pgbench as the floor a timing loop can reach: if preflight measured less
// than this, it would be leaving part of the round trip out; more, it would be timing itself.
//
//   bare_libpq_loop CONNINFO SQL SECONDS [PARAM...]
//
// Prints one JSON object: p50_us, mean_us, count, sampling_s (wall time of the timed loop).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <string>
#include <vector>

#include <libpq-fe.h>

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void fail(PGconn* conn, const char* doing) {
  std::fprintf(stderr, "bare_libpq_loop: %s: %s", doing, PQerrorMessage(conn));
  std::exit(1);
}

bool succeeded(PGresult* result) {
  const auto status = PQresultStatus(result);
  PQclear(result);
  return status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK;
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: bare_libpq_loop CONNINFO SQL SECONDS [PARAM...]\n");
    return 2;
  }
  PGconn* conn = PQconnectdb(argv[1]);
  if (PQstatus(conn) != CONNECTION_OK) fail(conn, "connecting");
  const double seconds = std::atof(argv[3]);
  const std::vector<const char*> params(argv + 4, argv + argc);
  const int n_params = static_cast<int>(params.size());

  PGresult* prepared = PQprepare(conn, "bare", argv[2], 0, nullptr);
  if (PQresultStatus(prepared) != PGRES_COMMAND_OK) fail(conn, "preparing");
  PQclear(prepared);
  // The same warm-up as the accuracy suites give preflight, so the plan cache has decided.
  for (int i = 0; i < 1000; ++i) {
    if (!succeeded(PQexecPrepared(conn, "bare", n_params, params.data(), nullptr, nullptr, 0)))
      fail(conn, "warming up");
  }

  std::vector<double> samples_us;
  samples_us.reserve(1 << 20);
  const auto begin = Clock::now();
  const auto end = begin + std::chrono::duration<double>(seconds);
  auto now = begin;
  while (now < end) {
    const auto start = Clock::now();
    PGresult* result = PQexecPrepared(conn, "bare", n_params, params.data(), nullptr, nullptr, 0);
    now = Clock::now();
    if (!succeeded(result)) fail(conn, "timing");
    samples_us.push_back(std::chrono::duration<double, std::micro>(now - start).count());
  }
  const double sampling_s = std::chrono::duration<double>(Clock::now() - begin).count();
  PQfinish(conn);

  const double mean = std::accumulate(samples_us.begin(), samples_us.end(), 0.0) /
                      static_cast<double>(samples_us.size());
  // The upper middle element: with tens of thousands of samples, interpolating changes nothing.
  auto middle = samples_us.begin() + static_cast<std::ptrdiff_t>(samples_us.size() / 2);
  std::nth_element(samples_us.begin(), middle, samples_us.end());
  std::printf("{\"p50_us\": %.3f, \"mean_us\": %.3f, \"count\": %zu, \"sampling_s\": %.6f}\n",
              *middle, mean, samples_us.size(), sampling_s);
  return 0;
}
