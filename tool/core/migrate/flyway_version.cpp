#include "core/migrate/flyway_version.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"

namespace preflight::migrate {

std::optional<std::vector<std::string>> flyway_version_parts(std::string_view text) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const auto end = text.find_first_of("._", start);
    std::string_view part =
        text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (part.empty() || part.find_first_not_of("0123456789") != std::string_view::npos)
      return std::nullopt;
    part.remove_prefix(std::min(part.find_first_not_of('0'), part.size() - 1));
    parts.emplace_back(part);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  while (parts.size() > 1 && parts.back() == "0") parts.pop_back();
  return parts;
}

int compare_flyway_versions(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  const std::string zero = "0";
  for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    const std::string& x = i < a.size() ? a[i] : zero;
    const std::string& y = i < b.size() ? b[i] : zero;
    // Without leading zeros, the longer number is the larger one (Flyway uses BigInteger).
    if (x.size() != y.size()) return x.size() < y.size() ? -1 : 1;
    if (const int c = x.compare(y); c != 0) return c < 0 ? -1 : 1;
  }
  return 0;
}

bool flyway_ranked(const MigrationSet& files) {
  return std::any_of(files.all().begin(), files.all().end(), [](const Migration& m) {
    if (m.version_text.find_first_of("._") == std::string::npos) return false;
    const auto parts = flyway_version_parts(m.version_text);
    return parts && parts->size() > 1;
  });
}

void refuse_unkeyable_in_sqlx_history(const MigrationSet& files) {
  for (const auto& m : files.all()) {
    const auto parts = flyway_version_parts(m.version_text);
    if (!parts || parts->size() < 2) continue;
    throw Error(ErrorKind::input,
                fmt::format("Flyway version {} has more than one number: only Flyway's own "
                            "flyway_schema_history can record it, and this command would use "
                            "preflight's _sqlx_migrations, which keeps one integer per migration",
                            m.version_text),
                "keep history = \"native\" (the default for a Flyway folder) and Flyway's table",
                Location{m.up.path, 0, 0});
  }
  if (!files.repeatables().empty()) {
    const Migration& m = files.repeatables().front();
    throw Error(ErrorKind::input,
                fmt::format("repeatable migration \"{}\" has no version: only Flyway's own "
                            "flyway_schema_history can record it, and this command would use "
                            "preflight's _sqlx_migrations, which keeps one row per version",
                            m.description),
                "keep history = \"native\" (the default for a Flyway folder) and Flyway's table",
                Location{m.up.path, 0, 0});
  }
}

} // namespace preflight::migrate
