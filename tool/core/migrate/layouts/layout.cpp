#include "core/migrate/layouts/layout.h"

#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>

#include "core/error.h"
#include "core/migrate/layouts/assemble.h"
#include "core/migrate/layouts/readers.h"
#include "core/migrate/source_entry.h"

namespace preflight::migrate {

namespace {

constexpr std::array<Layout, 6> k_layouts{Layout::sqlx,   Layout::golang_migrate, Layout::goose,
                                          Layout::dbmate, Layout::flyway,         Layout::diesel};

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string own_name(const std::string& name) {
  auto slash = name.rfind('/');
  return slash == std::string::npos ? name : name.substr(slash + 1);
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The first file of each kind that tells a layout, in name order.
struct Evidence {
  const SourceFile* diesel = nullptr;
  const SourceFile* flyway = nullptr;
  const SourceFile* goose = nullptr;
  const SourceFile* dbmate = nullptr;
  const SourceFile* sqlx_simple = nullptr;  // <V>_<D>.sql with no other tool's directive
  const SourceFile* pair = nullptr;         // <V>_<T>.up.sql / .down.sql: sqlx or golang-migrate
  const SourceFile* golang_trait = nullptr; // a pair file sqlx refuses but golang-migrate takes
  const SourceFile* sqlx_loose = nullptr;   // <not a number>_<D>.sql: sqlx refuses its version
  const SourceFile* unknown_sql = nullptr;  // a .sql file no layout reads
};

// golang-migrate takes what sqlx refuses in a folder of up/down pairs: titles of one version that
// differ, empty files, a down without its up, another extension than .sql.
const SourceFile* golang_migrate_trait(const std::vector<const SourceFile*>& pairs) {
  struct Seen {
    const SourceFile* up = nullptr;
    const SourceFile* down = nullptr;
    std::string up_title, down_title;
  };
  std::map<std::string, Seen> versions;
  for (const SourceFile* f : pairs) {
    auto name = layouts::golang_migrate_name(f->name);
    if (name->extension != "sql") return f;
    if (f->bytes.find_first_not_of(" \t\r\n") == std::string::npos) return f;
    Seen& seen = versions[name->version];
    (name->up ? seen.up : seen.down) = f;
    (name->up ? seen.up_title : seen.down_title) = name->title;
  }
  for (const auto& [version, seen] : versions) {
    if (seen.down && !seen.up) return seen.down;
    if (seen.up && seen.down && seen.up_title != seen.down_title) return seen.down;
  }
  return nullptr;
}

Error ambiguous(const std::vector<std::pair<Layout, const SourceFile*>>& found) {
  std::string list;
  for (const auto& [layout, file] : found) {
    list += fmt::format("{}{} ({})", list.empty() ? "" : ", ", file->path, layout_name(layout));
  }
  return Error(
      ErrorKind::input, fmt::format("the migrations folder matches more than one layout: {}", list),
      fmt::format("set layout = \"…\" in preflight.toml or pass --layout ({})", layout_names()));
}

} // namespace

std::string_view layout_name(Layout layout) {
  switch (layout) {
  case Layout::sqlx: return "sqlx";
  case Layout::golang_migrate: return "golang-migrate";
  case Layout::goose: return "goose";
  case Layout::dbmate: return "dbmate";
  case Layout::flyway: return "flyway";
  case Layout::diesel: return "diesel";
  }
  return "sqlx";
}

std::optional<Layout> layout_from_name(std::string_view name) {
  const std::string n = lower(name);
  if (n == "golang_migrate" || n == "migrate") return Layout::golang_migrate;
  for (Layout layout : k_layouts) {
    if (n == layout_name(layout)) return layout;
  }
  return std::nullopt;
}

std::string layout_names() {
  std::string out;
  for (Layout layout : k_layouts) {
    out += fmt::format("{}{}", out.empty() ? "" : ", ", layout_name(layout));
  }
  return out;
}

Layout detect_layout(const std::vector<SourceFile>& files) {
  std::vector<const SourceFile*> sorted;
  sorted.reserve(files.size());
  for (const auto& f : files) sorted.push_back(&f);
  std::sort(sorted.begin(), sorted.end(),
            [](const SourceFile* a, const SourceFile* b) { return a->name < b->name; });

  Evidence e;
  std::vector<const SourceFile*> pairs;
  for (const SourceFile* f : sorted) {
    const std::string name = own_name(f->name);
    const bool nested = name.size() != f->name.size();
    if (nested) {
      if (name == "up.sql" && f->name[0] != '.' && !e.diesel) e.diesel = f;
      if (layouts::flyway_named(name) && !e.flyway) e.flyway = f;
      continue;
    }
    if (layouts::flyway_named(name)) {
      if (!e.flyway) e.flyway = f;
      continue;
    }
    if (layouts::golang_migrate_name(name)) {
      pairs.push_back(f);
      if (!e.pair) e.pair = f;
      continue;
    }
    if (!ends_with(name, ".sql")) continue;
    if (layouts::starts_with_digits(name) && layouts::has_goose_up(f->bytes)) {
      if (!e.goose) e.goose = f;
    } else if (layouts::starts_with_digits(name) && layouts::has_dbmate_up(f->bytes)) {
      if (!e.dbmate) e.dbmate = f;
    } else if (layouts::starts_with_digits(name) && name.find('_') != std::string::npos) {
      if (!e.sqlx_simple) e.sqlx_simple = f;
    } else if (name.find('_') != std::string::npos) {
      // sqlx reads it (and refuses its version); goose and dbmate skip it.
      if (!e.sqlx_loose) e.sqlx_loose = f;
    } else if (!e.unknown_sql) {
      e.unknown_sql = f;
    }
  }
  if (e.pair && !e.sqlx_simple) e.golang_trait = golang_migrate_trait(pairs);

  std::vector<std::pair<Layout, const SourceFile*>> found;
  if (e.diesel) found.emplace_back(Layout::diesel, e.diesel);
  if (e.flyway) found.emplace_back(Layout::flyway, e.flyway);
  if (e.goose) found.emplace_back(Layout::goose, e.goose);
  if (e.dbmate) found.emplace_back(Layout::dbmate, e.dbmate);
  if (e.sqlx_simple) {
    found.emplace_back(Layout::sqlx, e.sqlx_simple);
  } else if (e.golang_trait) {
    found.emplace_back(Layout::golang_migrate, e.golang_trait);
  } else if (e.pair) {
    found.emplace_back(Layout::sqlx, e.pair);
  }
  if (found.empty() && e.sqlx_loose) found.emplace_back(Layout::sqlx, e.sqlx_loose);
  if (found.size() > 1) throw ambiguous(found);
  if (found.size() == 1) return found.front().first;
  if (e.unknown_sql) {
    throw Error(ErrorKind::input,
                fmt::format("no file in the migrations folder is named like a migration of any "
                            "layout, e.g. {}",
                            e.unknown_sql->path),
                fmt::format("name migrations as one of these tools does ({}), or set layout = "
                            "\"…\" in preflight.toml",
                            layout_names()));
  }
  return Layout::sqlx; // nothing that looks like a migration: today's (empty) sqlx folder
}

MigrationSet discover_layout(Layout layout, std::vector<SourceFile>&& files,
                             const DiscoveryOptions& options, const LayoutOptions& layout_options) {
  switch (layout) {
  case Layout::sqlx: {
    // sqlx reads one folder, not its sub-folders.
    files.erase(
        std::remove_if(files.begin(), files.end(),
                       [](const SourceFile& f) { return f.name.find('/') != std::string::npos; }),
        files.end());
    return discover_migrations(std::move(files), options);
  }
  case Layout::golang_migrate: return layouts::read_golang_migrate(std::move(files), options);
  case Layout::goose: return layouts::read_goose(std::move(files), options, layout_options);
  case Layout::dbmate: return layouts::read_dbmate(std::move(files), options);
  case Layout::flyway: return layouts::read_flyway(std::move(files), options, layout_options);
  case Layout::diesel: return layouts::read_diesel(std::move(files), options);
  }
  return {};
}

Layout resolve_layout(const std::string& name, const std::vector<SourceFile>& files) {
  if (name.empty()) return detect_layout(files);
  if (auto layout = layout_from_name(name)) return *layout;
  throw Error(ErrorKind::usage, "unknown layout \"" + name + "\"",
              "known layouts: " + layout_names());
}

MigrationSet discover_folder(std::vector<SourceFile>&& files, const std::string& name,
                             const DiscoveryOptions& options, const LayoutOptions& layout_options,
                             Layout* chosen) {
  // Before any layout reads them (and before detection, which would take an unreadable entry's
  // empty bytes for a script): an SQL name that is not a readable regular file (a FIFO, a
  // folder, a dangling link), or holds a control character.
  std::vector<Error> unreadable;
  for (const auto& file : files) {
    if (!ends_with(file.name, ".sql")) continue;
    if (auto problem = check_migration_entry(file)) unreadable.push_back(std::move(*problem));
  }
  if (!unreadable.empty()) throw Error::combine(unreadable);
  const Layout layout = resolve_layout(name, files);
  if (chosen != nullptr) *chosen = layout;
  return discover_layout(layout, std::move(files), options, layout_options);
}

} // namespace preflight::migrate
