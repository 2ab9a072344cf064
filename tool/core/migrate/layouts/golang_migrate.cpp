// golang-migrate (github.com/golang-migrate/migrate, commit 18966c755f83): source/parse.go names
// files `^([0-9]+)_(.*)\.(down|up)\.(.*)$` (version as uint64, any extension) and keys on the
// version only, so the two titles of a pair may differ; source/iofs skips other names; a version
// with only a down file applies as a no-op; database/postgres/postgres.go sends a file as one
// query with no transaction of its own (multi-statement mode off by default), so an empty file
// is a valid no-op.

#include <charconv>
#include <limits>
#include <map>

#include <fmt/format.h>

#include "core/migrate/layouts/assemble.h"
#include "core/migrate/layouts/readers.h"
#include "core/migrate/source_entry.h"

namespace preflight::migrate::layouts {

namespace {

ScriptDecision golang_migrate_rule(const ScriptSource& script, const ScriptShape& shape) {
  return one_query_rule(script, shape, "golang-migrate", "move it to a migration of its own");
}

std::string without_bom(std::string bytes) {
  if (bytes.rfind("\xEF\xBB\xBF", 0) == 0) bytes.erase(0, 3);
  return bytes;
}

std::string description_of(std::string title) {
  for (auto& c : title) {
    if (c == '_') c = ' ';
  }
  return title;
}

} // namespace

std::optional<GolangMigrateName> golang_migrate_name(const std::string& name) {
  std::size_t digits = 0;
  while (digits < name.size() && name[digits] >= '0' && name[digits] <= '9') ++digits;
  if (digits == 0 || digits >= name.size() || name[digits] != '_') return std::nullopt;
  // The title is greedy: the last ".up." or ".down." ends it.
  const std::string rest = name.substr(digits + 1);
  std::size_t best = std::string::npos;
  bool up = true;
  for (std::size_t p = rest.size(); p-- > 0;) {
    if (rest.compare(p, 4, ".up.") == 0) {
      best = p;
      up = true;
      break;
    }
    if (rest.compare(p, 6, ".down.") == 0) {
      best = p;
      up = false;
      break;
    }
  }
  if (best == std::string::npos) return std::nullopt;
  GolangMigrateName out;
  out.version = name.substr(0, digits);
  out.title = rest.substr(0, best);
  out.up = up;
  out.extension = rest.substr(best + (up ? 4 : 6));
  return out;
}

MigrationSet read_golang_migrate(std::vector<SourceFile>&& files, const DiscoveryOptions& options) {
  std::vector<Error> errors;
  struct Slot {
    SourceFile* up = nullptr;
    SourceFile* down = nullptr;
    std::string up_title, down_title, version;
  };
  std::map<std::int64_t, Slot> slots;
  for (auto& file : files) {
    if (file.name.find('/') != std::string::npos) continue; // one folder, not recursive
    auto name = golang_migrate_name(file.name);
    if (!name) continue;
    if (!is_valid_utf8(file.name)) {
      errors.push_back(name_not_utf8(file.path));
      continue;
    }
    std::uint64_t value = 0;
    auto [end, ec] =
        std::from_chars(name->version.data(), name->version.data() + name->version.size(), value);
    if (ec != std::errc{} ||
        value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      errors.push_back(file_error(
          file.path,
          fmt::format("version {} is larger than a 64-bit integer (golang-migrate skips this "
                      "file; preflight refuses to skip a migration)",
                      name->version),
          "give it a smaller version"));
      continue;
    }
    Slot& slot = slots[static_cast<std::int64_t>(value)];
    SourceFile*& place = name->up ? slot.up : slot.down;
    if (place != nullptr) {
      errors.push_back(file_error(file.path,
                                  fmt::format("duplicate migration file: version {} {} is also {}",
                                              name->version, name->up ? "up" : "down", place->path),
                                  "golang-migrate refuses two files of one version and direction"));
      continue;
    }
    place = &file;
    (name->up ? slot.up_title : slot.down_title) = name->title;
    slot.version = name->version;
  }

  std::vector<Candidate> candidates;
  candidates.reserve(slots.size());
  for (auto& [version, slot] : slots) {
    Candidate c;
    c.version = version;
    c.description = description_of(slot.up ? slot.up_title : slot.down_title);
    c.order_key = fmt::format("{:020}", version);
    c.origin = (slot.up ? slot.up : slot.down)->path;
    if (slot.up) {
      c.checksum_of = slot.up->bytes;
      c.up = ScriptSource{slot.up->path, without_bom(std::move(slot.up->bytes)), false, false, {}};
    }
    if (slot.down) {
      c.down =
          ScriptSource{slot.down->path, without_bom(std::move(slot.down->bytes)), false, false, {}};
    }
    candidates.push_back(std::move(c));
  }
  return assemble(std::move(candidates), std::move(errors),
                  LayoutRules{"golang-migrate", &golang_migrate_rule}, options);
}

} // namespace preflight::migrate::layouts
