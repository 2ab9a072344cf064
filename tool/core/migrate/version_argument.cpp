#include "core/migrate/version_argument.h"

#include <charconv>

#include <fmt/format.h>

#include "core/error.h"
#include "core/migrate/flyway_version.h"

namespace preflight::migrate {

namespace {

// The key of the migration whose version its tool writes as `text`, if one has it that way.
std::optional<std::int64_t> key_of_text(const MigrationSet& files, Layout layout,
                                        std::string_view text) {
  for (const auto& m : files.all()) {
    if (!m.version_text.empty() && m.version_text == text) return m.version;
  }
  if (layout == Layout::flyway) {
    if (auto parts = flyway_version_parts(text)) {
      for (const auto& m : files.all()) {
        if (flyway_version_parts(m.shown_version()) == parts) return m.version;
      }
    }
  }
  return std::nullopt;
}

} // namespace

std::optional<std::int64_t> try_version_argument(const MigrationSet& files, Layout layout,
                                                 std::string_view text) {
  if (auto key = key_of_text(files, layout, text)) return key;
  if (text == "0") return 0;
  if (layout == Layout::flyway && flyway_ranked(files)) return std::nullopt;
  std::int64_t number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return number;
}

std::int64_t version_argument(const MigrationSet& files, Layout layout, std::string_view text,
                              std::string_view what) {
  if (auto key = key_of_text(files, layout, text)) return *key;
  if (text == "0") return 0;
  if (layout == Layout::flyway && flyway_ranked(files)) {
    throw Error(ErrorKind::usage, fmt::format("{} {}: no migration has this version", what, text),
                "give the version of a migration in the folder as Flyway writes it (`preflight "
                "migrate status` lists them), or 0 for none");
  }
  std::int64_t number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec == std::errc::result_out_of_range && end == text.data() + text.size()) {
    throw Error(
        ErrorKind::usage,
        fmt::format("{} {}: no migration has this version (it is beyond 64 bits)", what, text),
        "`preflight migrate status` lists the versions");
  }
  if (ec != std::errc{} || end != text.data() + text.size()) {
    throw Error(ErrorKind::usage,
                fmt::format("{} {}: not a version (a number, or a version as the migration "
                            "files write it)",
                            what, text),
                "`preflight migrate status` lists the versions");
  }
  return number;
}

} // namespace preflight::migrate
