#include "io/fleet/target_list.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "io/pg/connection_string.h"

namespace preflight::fleet {

namespace {

std::string quote_value(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(ErrorKind::input, "cannot read the targets file", {}, Location{path, 0, 0});
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<config::TargetSpec> from_query(const TargetSource& source) {
  pg::DatabaseTarget server(source.server);
  auto session = server.connect("preflight targets");
  // Read-only and bounded: the query picks targets, it must not change or hang anything.
  session->exec("SET statement_timeout = '30s'");
  session->exec("BEGIN READ ONLY");
  auto outcome = session->try_exec(*source.query);
  if (!outcome.ok()) {
    throw Error(ErrorKind::usage,
                fmt::format("--targets-query failed on {}: {}", server.display(),
                            outcome.failure->describe()),
                "the query returns one column: the names of the databases to run on");
  }
  session->try_exec("ROLLBACK");
  const auto& rows = outcome.result;
  if (rows.columns() != 1) {
    throw Error(ErrorKind::usage,
                fmt::format("--targets-query returned {} columns; it must return one: database "
                            "names",
                            rows.columns()));
  }
  std::vector<config::TargetSpec> targets;
  const std::string where = "--targets-query";
  for (int row = 0; row < rows.rows(); ++row) {
    config::TargetSpec target;
    target.name = rows.get(row, 0);
    target.location = Location{where, static_cast<std::uint32_t>(row + 1), 0};
    if (!config::is_target_name(target.name)) {
      throw Error(ErrorKind::input,
                  fmt::format("row {}: database name \"{}\" cannot name a target (1 to 63 "
                              "characters, no spaces)",
                              row + 1, target.name));
    }
    target.url = conninfo_for_database(server.conninfo(), target.name);
    targets.push_back(std::move(target));
  }
  config::check_targets(targets, where);
  return targets;
}

} // namespace

bool names_a_fleet(const TargetSource& source, const config::Config& config) {
  return source.file || source.query || !config.targets.empty();
}

std::string conninfo_for_database(const std::string& conninfo, const std::string& database) {
  std::string problem;
  auto parameters = pg::parse_connection_string(conninfo, problem);
  if (!parameters) throw Error(ErrorKind::usage, "invalid connection string: " + problem);
  std::string out;
  bool named = false;
  for (auto& [keyword, value] : *parameters) {
    if (keyword == "dbname") {
      value = database;
      named = true;
    }
    out += fmt::format("{}{}={}", out.empty() ? "" : " ", keyword, quote_value(value));
  }
  if (!named) out += fmt::format("{}dbname={}", out.empty() ? "" : " ", quote_value(database));
  return out;
}

std::vector<config::TargetSpec> resolve_targets(const TargetSource& source,
                                                const config::Config& config,
                                                const std::string& config_path) {
  if (source.file && source.query) {
    throw Error(ErrorKind::usage, "--targets and --targets-query exclude each other");
  }
  if (source.server.ephemeral) {
    throw Error(ErrorKind::usage, "--ephemeral takes one database, not a fleet",
                "drop --ephemeral, or run without --targets/--targets-query/[[target]]");
  }
  std::vector<config::TargetSpec> targets;
  std::string origin = config_path;
  if (source.query) {
    targets = from_query(source);
    origin = "--targets-query";
  } else if (source.file) {
    targets = config::parse_targets_file(read_file(*source.file), *source.file);
    origin = *source.file;
  } else {
    targets = config.targets;
    config::check_targets(targets, config_path);
  }
  std::vector<Error> problems;
  for (auto& target : targets) {
    if (!target.url_env.empty()) {
      const char* value = std::getenv(target.url_env.c_str());
      if (value == nullptr || *value == '\0') {
        problems.emplace_back(ErrorKind::input,
                              fmt::format("target `{}`: environment variable {} is not set",
                                          target.name, target.url_env),
                              "export it with the target's URL", target.location);
        continue;
      }
      target.url = value;
    }
    std::string problem;
    if (!pg::parse_connection_string(target.url, problem)) {
      problems.emplace_back(
          ErrorKind::input,
          fmt::format("target `{}`: invalid connection string: {}", target.name, problem),
          "a libpq URL (postgres://user@host:5432/db) or keyword string", target.location);
    }
  }
  if (targets.size() > k_max_targets) {
    problems.emplace_back(
        ErrorKind::input,
        fmt::format("{} targets: one run takes at most {}", targets.size(), k_max_targets),
        "split the fleet with --shard i/n", Location{origin, 0, 0});
  }
  if (!problems.empty()) throw Error::combine(std::move(problems));
  return targets;
}

std::vector<config::TargetSpec> shard_targets(std::vector<config::TargetSpec> targets,
                                              const Shard& shard) {
  std::erase_if(targets, [&](const auto& t) { return !owns(shard, t.name); });
  return targets;
}

} // namespace preflight::fleet
