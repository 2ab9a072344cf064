#include "core/migrate/new_migration.h"

#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <string_view>

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
    if (now <= newest.version && newest.version == std::numeric_limits<std::int64_t>::max()) {
      throw Error(ErrorKind::input,
                  fmt::format("the newest migration has version {}, the largest a version can "
                              "be: there is no next version",
                              newest.version),
                  "renumber the migrations (before they are applied anywhere), or name the "
                  "next file by hand with an unused lower version and --allow-out-of-order");
    }
    created.version = std::to_string(now > newest.version ? now : newest.version + 1);
  }
  const std::string stem = created.version + "_" + created.description;
  // NAME_MAX of Linux, macOS and Windows file systems: a longer name cannot be created.
  constexpr std::size_t k_longest_file_name = 255;
  const std::size_t longest = stem.size() + (reversible ? 9 : 4);
  if (longest > k_longest_file_name) {
    throw Error(ErrorKind::usage,
                fmt::format("migration name is too long: the file name would have {} bytes, file "
                            "systems allow {}",
                            longest, k_longest_file_name),
                fmt::format("shorten the name to at most {} letters",
                            k_longest_file_name - (longest - created.description.size())));
  }
  if (reversible) {
    created.names = {stem + ".up.sql", stem + ".down.sql"};
  } else {
    created.names = {stem + ".sql"};
  }
  return created;
}

} // namespace preflight::migrate
