#include "core/migrate/new_migration.h"

#include <charconv>
#include <cstdint>

#include <fmt/format.h>

#include "core/error.h"

namespace preflight::migrate {

namespace {

// Below this, versions are counters (0001, 0002, …); timestamps have 14 digits.
constexpr std::int64_t k_timestamp_threshold = 10'000'000'000;

struct Newest {
  std::int64_t version = 0;
  std::size_t width = 0; // digits in its file name, leading zeros included
};

// The same naming rule as discovery (split at the first "_", ".sql" only); names that are not
// migrations are ignored here, discovery reports them elsewhere.
Newest newest_version(const std::vector<std::string>& names) {
  Newest newest;
  for (const auto& name : names) {
    if (name.size() < 4 || name.compare(name.size() - 4, 4, ".sql") != 0) continue;
    auto underscore = name.find('_');
    if (underscore == std::string::npos || underscore == 0) continue;
    std::int64_t version = 0;
    auto [end, ec] = std::from_chars(name.data(), name.data() + underscore, version);
    if (ec != std::errc{} || end != name.data() + underscore || version <= 0) continue;
    if (version > newest.version) newest = {version, underscore};
  }
  return newest;
}

} // namespace

std::string sanitize_migration_name(const std::string& name) {
  std::string out;
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 'A' && u <= 'Z') u = static_cast<unsigned char>(u - 'A' + 'a');
    bool keep = (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9');
    if (keep) {
      out.push_back(static_cast<char>(u));
    } else if (!out.empty() && out.back() != '_') {
      out.push_back('_');
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  if (out.empty()) {
    throw Error(ErrorKind::usage,
                fmt::format("migration name \"{}\" has no letters or digits", name),
                "name it after what it does, e.g. add_users_email_index");
  }
  return out;
}

NewMigration plan_new_migration(const std::vector<std::string>& existing_names,
                                const std::string& name, bool reversible,
                                const std::string& utc_now) {
  NewMigration created;
  created.description = sanitize_migration_name(name);
  const Newest newest = newest_version(existing_names);
  if (newest.version > 0 && newest.version < k_timestamp_threshold) {
    created.version = fmt::format("{:0{}}", newest.version + 1, newest.width);
  } else {
    std::int64_t now = 0;
    auto [end, ec] = std::from_chars(utc_now.data(), utc_now.data() + utc_now.size(), now);
    if (ec != std::errc{} || end != utc_now.data() + utc_now.size() || utc_now.size() != 14) {
      throw Error(ErrorKind::internal,
                  fmt::format("\"{}\" is not a YYYYMMDDHHMMSS timestamp", utc_now));
    }
    created.version = std::to_string(now > newest.version ? now : newest.version + 1);
  }
  const std::string stem = created.version + "_" + created.description;
  if (reversible) {
    created.names = {stem + ".up.sql", stem + ".down.sql"};
  } else {
    created.names = {stem + ".sql"};
  }
  return created;
}

} // namespace preflight::migrate
