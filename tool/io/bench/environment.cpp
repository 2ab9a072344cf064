#include "io/bench/environment.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <thread>

#include <fmt/format.h>

#include "io/utc_time.h"

namespace preflight::bench {

Environment collect_environment(pg::PgSession& session, bool throwaway_cluster) {
  Environment e;
  e.server_version = session.exec("SHOW server_version").get(0, 0);
  e.server_version_num = session.server_version();
  std::string names;
  for (const char* name : k_recorded_settings)
    names += (names.empty() ? "'" : ", '") + std::string(name) + "'";
  // pg_settings gives the value with its unit, as SHOW would print it ("128MB", "4MB").
  auto rows = session.exec(
      fmt::format("SELECT name, CASE WHEN unit = '8kB' THEN pg_size_pretty(setting::bigint * 8192) "
                  "WHEN unit = 'kB' THEN pg_size_pretty(setting::bigint * 1024) ELSE setting END "
                  "FROM pg_settings WHERE name IN ({}) ORDER BY name",
                  names));
  for (int r = 0; r < rows.rows(); ++r) e.settings[rows.get(r, 0)] = rows.get(r, 1);
  e.durable = e.settings["fsync"] == "on" && e.settings["synchronous_commit"] != "off";
  e.throwaway_cluster = throwaway_cluster;

  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0) e.host_name = host;
  e.cpus = static_cast<int>(std::thread::hardware_concurrency());
  struct utsname u {};
  if (uname(&u) == 0) e.os = fmt::format("{} {} {}", u.sysname, u.release, u.machine);
  e.preflight_version = PREFLIGHT_VERSION;
  e.started_at = utc_iso8601_now();
  return e;
}

} // namespace preflight::bench
