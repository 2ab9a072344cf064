#include "core/migrate/new_migration.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "core/error.h"
#include "core/migrate/flyway_version.h"

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

// U+00C0…U+017F (Latin-1 Supplement and Latin Extended-A) in lower-case ASCII, as slug makers
// transliterate them: diacritics dropped, ß → ss, æ → ae; "" for × and ÷.
constexpr std::array<std::string_view, 192> k_latin_letters{
    "a", "a", "a",  "a",  "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",  // U+00C0
    "d", "n", "o",  "o",  "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss", // U+00D0
    "a", "a", "a",  "a",  "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",  // U+00E0
    "d", "n", "o",  "o",  "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y",  // U+00F0
    "a", "a", "a",  "a",  "a", "a", "c",  "c", "c", "c", "c", "c", "c", "c", "d",  "d",  // U+0100
    "d", "d", "e",  "e",  "e", "e", "e",  "e", "e", "e", "e", "e", "g", "g", "g",  "g",  // U+0110
    "g", "g", "g",  "g",  "h", "h", "h",  "h", "i", "i", "i", "i", "i", "i", "i",  "i",  // U+0120
    "i", "i", "ij", "ij", "j", "j", "k",  "k", "k", "l", "l", "l", "l", "l", "l",  "l",  // U+0130
    "l", "l", "l",  "n",  "n", "n", "n",  "n", "n", "n", "n", "n", "o", "o", "o",  "o",  // U+0140
    "o", "o", "oe", "oe", "r", "r", "r",  "r", "r", "r", "s", "s", "s", "s", "s",  "s",  // U+0150
    "s", "s", "t",  "t",  "t", "t", "t",  "t", "u", "u", "u", "u", "u", "u", "u",  "u",  // U+0160
    "u", "u", "u",  "u",  "w", "w", "y",  "y", "y", "z", "z", "z", "z", "z", "z",  "s",  // U+0170
};

} // namespace

std::string sanitize_migration_name(const std::string& name) {
  std::string out;
  auto separate = [&out] {
    if (!out.empty() && out.back() != '_') out.push_back('_');
  };
  std::size_t i = 0;
  while (i < name.size()) {
    auto u = static_cast<unsigned char>(name[i]);
    if (u < 0x80) {
      ++i;
      if (u >= 'A' && u <= 'Z') u = static_cast<unsigned char>(u - 'A' + 'a');
      if ((u >= 'a' && u <= 'z') || (u >= '0' && u <= '9')) {
        out.push_back(static_cast<char>(u));
      } else {
        separate();
      }
      continue;
    }
    // Two-byte UTF-8 up to U+07FF: the Latin letters with diacritics are spelled in ASCII.
    const std::size_t length = (u & 0xE0U) == 0xC0U ? 2 : (u & 0xF0U) == 0xE0U ? 3 : 4;
    std::string_view ascii;
    if (length == 2 && i + 1 < name.size()) {
      const auto cp = ((u & 0x1FU) << 6U) | (static_cast<unsigned char>(name[i + 1]) & 0x3FU);
      if (cp >= 0xC0 && cp < 0x180) ascii = k_latin_letters[cp - 0xC0];
    }
    if (ascii.empty()) {
      separate();
    } else {
      out += ascii;
    }
    i += length;
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  if (out.empty()) {
    throw Error(
        ErrorKind::usage,
        fmt::format("migration name \"{}\" has no letters or digits usable in a file name", name),
        "name it after what it does in Latin letters and digits, e.g. "
        "add_users_email_index");
  }
  return out;
}

namespace {

std::int64_t parse_utc(const std::string& utc_now) {
  std::int64_t now = 0;
  auto [end, ec] = std::from_chars(utc_now.data(), utc_now.data() + utc_now.size(), now);
  if (ec != std::errc{} || end != utc_now.data() + utc_now.size() || utc_now.size() != 14) {
    throw Error(ErrorKind::internal,
                fmt::format("\"{}\" is not a YYYYMMDDHHMMSS timestamp", utc_now));
  }
  return now;
}

// The first number of the newest Flyway version in V<version>__ names, in Flyway's order (a
// dotted 2.5 counts as 2: the next integer version, 3, comes after it).
Newest newest_flyway_version(const std::vector<std::string>& names) {
  Newest newest;
  std::optional<std::vector<std::string>> newest_parts;
  for (const auto& name : names) {
    if (name.size() < 2 || name[0] != 'V') continue;
    const auto separator = name.find("__");
    if (separator == std::string::npos || separator < 2) continue;
    const std::string_view text(name.data() + 1, separator - 1);
    auto parts = flyway_version_parts(text);
    if (!parts || (newest_parts && compare_flyway_versions(*parts, *newest_parts) <= 0)) continue;
    const auto width = text.find_first_of("._");
    std::int64_t first = 0;
    const std::string_view digits = text.substr(0, width);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), first);
    if (ec != std::errc{} || first < 0) continue;
    newest = {first, digits.size()};
    newest_parts = std::move(parts);
  }
  return newest;
}

// The next version after `newest`: the next counter for counters, else the clock (moved past
// the newest timestamp if the clock is behind).
std::string next_version(const Newest& newest, const std::string& utc_now, bool counter_allowed) {
  if (counter_allowed && newest.version > 0 && newest.version < k_timestamp_threshold)
    return fmt::format("{:0{}}", newest.version + 1, newest.width);
  const std::int64_t now = parse_utc(utc_now);
  if (now <= newest.version && newest.version == std::numeric_limits<std::int64_t>::max()) {
    throw Error(ErrorKind::input,
                fmt::format("the newest migration has version {}, the largest a version can "
                            "be: there is no next version",
                            newest.version),
                "renumber the migrations (before they are applied anywhere), or name the "
                "next file by hand with an unused lower version and --allow-out-of-order");
  }
  return std::to_string(now > newest.version ? now : newest.version + 1);
}

// diesel's folder names: YYYY-MM-DD-HHMMSS, from the UTC time.
std::string diesel_version(const std::string& utc_now) {
  parse_utc(utc_now);
  return fmt::format("{}-{}-{}-{}", utc_now.substr(0, 4), utc_now.substr(4, 2),
                     utc_now.substr(6, 2), utc_now.substr(8, 6));
}

std::string up_text(const std::string& d) {
  return fmt::format("-- {}: write the migration's SQL here\n", d);
}
std::string down_text(const std::string& d, const std::string& up_file) {
  return fmt::format("-- Revert {}: write the SQL that undoes {} here\n", d, up_file);
}

} // namespace

NewMigration plan_new_migration(const std::vector<std::string>& existing_names,
                                const std::string& name, bool reversible,
                                const std::string& utc_now, Layout layout) {
  NewMigration created;
  const std::string d = sanitize_migration_name(name);
  created.description = d;
  auto add = [&](std::string file, std::string text) {
    created.names.push_back(std::move(file));
    created.texts.push_back(std::move(text));
  };
  switch (layout) {
  case Layout::sqlx: {
    created.version = next_version(newest_version(existing_names), utc_now, true);
    const std::string stem = created.version + "_" + d;
    if (reversible) {
      add(stem + ".up.sql", up_text(d));
      add(stem + ".down.sql", down_text(d, "the .up.sql file"));
    } else {
      add(stem + ".sql", up_text(d));
    }
    break;
  }
  case Layout::golang_migrate: {
    // `migrate create -ext sql`: always the pair.
    created.version = next_version(newest_version(existing_names), utc_now, true);
    const std::string stem = created.version + "_" + d;
    add(stem + ".up.sql", up_text(d));
    add(stem + ".down.sql", down_text(d, "the .up.sql file"));
    break;
  }
  case Layout::goose:
    // `goose create NAME sql`: one file, both directions under their annotations.
    created.version = next_version(newest_version(existing_names), utc_now, true);
    add(created.version + "_" + d + ".sql",
        "-- +goose Up\n" + up_text(d) + "\n-- +goose Down\n" + down_text(d, "the Up section"));
    break;
  case Layout::dbmate:
    // `dbmate new NAME`: a timestamp, one file with both directions.
    created.version = next_version(newest_version(existing_names), utc_now, false);
    add(created.version + "_" + d + ".sql",
        "-- migrate:up\n" + up_text(d) + "\n-- migrate:down\n" + down_text(d, "migrate:up"));
    break;
  case Layout::flyway: {
    // Flyway has no generator: the next integer version, V1 in an empty folder.
    const Newest newest = newest_flyway_version(existing_names);
    created.version =
        fmt::format("{:0{}}", newest.version + 1, std::max<std::size_t>(newest.width, 1));
    add("V" + created.version + "__" + d + ".sql", up_text(d));
    if (reversible) {
      add("U" + created.version + "__" + d + ".sql",
          down_text(d, "V" + created.version + "__" + d + ".sql"));
    }
    break;
  }
  case Layout::diesel:
    // `diesel migration generate NAME`: a folder with up.sql and down.sql.
    created.version = diesel_version(utc_now);
    add(created.version + "_" + d + "/up.sql", up_text(d));
    add(created.version + "_" + d + "/down.sql", down_text(d, "up.sql"));
    break;
  }
  // NAME_MAX of Linux, macOS and Windows file systems: a longer name cannot be created.
  constexpr std::size_t k_longest_file_name = 255;
  for (const auto& file : created.names) {
    const auto slash = file.find('/');
    const std::size_t longest = slash == std::string::npos ? file.size() : slash;
    if (longest > k_longest_file_name) {
      throw Error(ErrorKind::usage,
                  fmt::format("migration name is too long: the file name would have {} bytes, file "
                              "systems allow {}",
                              longest, k_longest_file_name),
                  fmt::format("shorten the name to at most {} letters",
                              k_longest_file_name - (longest - d.size())));
    }
  }
  return created;
}

} // namespace preflight::migrate
