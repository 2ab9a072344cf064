// Sources followed (each tool's repository, the commit named in docs/layouts/<tool>.md):
// golang-migrate database/postgres/postgres.go (SetVersion, Version, Lock) and database/util.go;
// goose internal/dialects/postgres.go and migrate.go (EnsureDBVersionContext: the newest row of
// a version decides); dbmate pkg/driver/postgres/postgres.go; Flyway JdbcTableSchemaHistory.java,
// ChecksumCalculator.java, MigrationVersion.java, PostgreSQLAdvisoryLockTemplate.java; diesel
// diesel_migrations/src/migration_harness.rs.

#include "core/migrate/native_history.h"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <map>

#include <fmt/format.h>

#include "core/migrate/flyway_version.h"
#include "core/migrate/lock_key.h"

namespace preflight::migrate {

namespace {

// diesel's versions are compared as numbers of this many digits (layouts/diesel.cpp).
constexpr std::size_t k_diesel_width = 18;

std::optional<std::int64_t> parse_int(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The integer version preflight keys on, for a row whose version no file has.
std::optional<std::int64_t> row_version(HistoryKind kind, std::string text) {
  if (kind == HistoryKind::diesel) {
    if (text.empty() || text.size() > k_diesel_width ||
        text.find_first_not_of("0123456789") != std::string::npos)
      return std::nullopt;
    text.append(k_diesel_width - text.size(), '0');
  }
  if (kind == HistoryKind::flyway) {
    // A single-number version, possibly with ".0" parts (Flyway: 1.0 is 1).
    while (text.size() > 2 && text.compare(text.size() - 2, 2, ".0") == 0)
      text.erase(text.size() - 2);
  }
  return parse_int(text);
}

// Uniform access to the files by the version their tool writes (Flyway: by the version Flyway
// compares equal, 1.0 being 1).
class FileIndex {
public:
  FileIndex(HistoryKind kind, const MigrationSet& files, const std::vector<NativeRow>& rows)
      : m_kind(kind) {
    for (const auto& m : files.all()) m_by_text.emplace(native_version(kind, m), &m);
    if (kind != HistoryKind::flyway) return;
    for (const auto& m : files.all()) {
      if (auto parts = flyway_version_parts(native_version(kind, m)))
        m_by_parts.emplace(*parts, &m);
    }
    if (flyway_ranked(files)) key_unknown_rows(rows);
  }
  const Migration* find(const std::string& text) const {
    if (auto it = m_by_text.find(text); it != m_by_text.end()) return it->second;
    if (m_kind != HistoryKind::flyway) return nullptr;
    auto parts = flyway_version_parts(text);
    if (!parts) return nullptr;
    auto it = m_by_parts.find(*parts);
    return it == m_by_parts.end() ? nullptr : it->second;
  }
  // The entry for a row: the file's version and description, or the row's own version.
  AppliedMigration entry(const std::string& text) const {
    AppliedMigration a;
    a.recorded = RecordedChecksum::none;
    if (const Migration* m = find(text)) {
      a.version = m->version;
      a.version_text = m->version_text;
      a.description = m->description;
      return a;
    }
    std::optional<std::int64_t> version;
    if (auto it = m_unknown.find(text); it != m_unknown.end()) {
      version = it->second;
    } else if (m_unknown_rows_ranked) {
      version = std::nullopt;
    } else {
      version = row_version(m_kind, text);
    }
    if (!version) {
      throw Error(ErrorKind::history,
                  fmt::format("{} records version \"{}\", which no migration file has and which "
                              "preflight cannot order among the files",
                              describe_history(m_kind), text),
                  "restore the file of that version, or remove the row if it is not a migration");
    }
    a.version = *version;
    if (text != std::to_string(*version)) a.version_text = text;
    return a;
  }

private:
  // In a ranked folder (flyway_version.h) a version no file has is keyed between its neighbours'
  // keys, the versions of one gap in Flyway's order.
  void key_unknown_rows(const std::vector<NativeRow>& rows) {
    m_unknown_rows_ranked = true;
    std::map<std::vector<std::string>, std::vector<std::string>, FlywayVersionOrder> unknown;
    for (const auto& row : rows) {
      if (row.version.empty() || find(row.version)) continue;
      if (auto parts = flyway_version_parts(row.version)) unknown[*parts].push_back(row.version);
    }
    std::int64_t previous_file_key = -1;
    std::int64_t in_gap = 0;
    for (const auto& [parts, texts] : unknown) {
      auto after = m_by_parts.upper_bound(parts);
      const std::int64_t file_key =
          after == m_by_parts.begin() ? 0 : std::prev(after)->second->version;
      in_gap = file_key == previous_file_key ? in_gap + 1 : 1;
      previous_file_key = file_key;
      for (const auto& text : texts) m_unknown.emplace(text, file_key + in_gap);
    }
  }

  HistoryKind m_kind;
  std::map<std::string, const Migration*> m_by_text;
  std::map<std::vector<std::string>, const Migration*, FlywayVersionOrder> m_by_parts;
  std::map<std::string, std::int64_t> m_unknown;
  bool m_unknown_rows_ranked = false;
};

std::vector<AppliedMigration> sorted(std::map<std::int64_t, AppliedMigration>&& entries) {
  std::vector<AppliedMigration> out;
  out.reserve(entries.size());
  for (auto& [version, entry] : entries) out.push_back(std::move(entry));
  return out;
}

std::vector<AppliedMigration> golang_migrate_applied(const MigrationSet& files,
                                                     const std::vector<NativeRow>& rows) {
  std::map<std::int64_t, AppliedMigration> entries;
  if (rows.empty()) return {};
  // golang-migrate reads one row (LIMIT 1): the current version and whether it is dirty.
  const NativeRow& row = rows.front();
  const auto current = parse_int(row.version).value_or(-1);
  const bool dirty = row.flag;
  for (const auto& m : files.all()) {
    if (m.version > current) break;
    AppliedMigration a;
    a.version = m.version;
    a.description = m.description;
    a.recorded = RecordedChecksum::none;
    a.success = !(dirty && m.version == current);
    entries.emplace(m.version, std::move(a));
  }
  if (!entries.count(current) && (current >= 0 || dirty)) {
    AppliedMigration a;
    a.version = current;
    a.description = current < 0 ? "golang-migrate's nil version" : "";
    a.recorded = RecordedChecksum::none;
    a.success = !dirty;
    entries.emplace(current, std::move(a));
  }
  return sorted(std::move(entries));
}

std::vector<AppliedMigration> goose_applied(const FileIndex& index,
                                            const std::vector<NativeRow>& rows) {
  // The newest row of a version says whether it is applied; version 0 is goose's own first row.
  std::map<std::string, const NativeRow*> newest;
  for (const auto& row : rows) newest[row.version] = &row;
  std::map<std::int64_t, AppliedMigration> entries;
  for (const auto& [text, row] : newest) {
    if (text == "0" || !row->flag) continue;
    AppliedMigration a = index.entry(text);
    a.installed_on = row->installed_on;
    entries.emplace(a.version, std::move(a));
  }
  return sorted(std::move(entries));
}

std::vector<AppliedMigration> every_row_applied(const FileIndex& index,
                                                const std::vector<NativeRow>& rows) {
  std::map<std::int64_t, AppliedMigration> entries;
  for (const auto& row : rows) {
    AppliedMigration a = index.entry(row.version);
    a.installed_on = row.installed_on;
    entries.emplace(a.version, std::move(a));
  }
  return sorted(std::move(entries));
}

std::vector<AppliedMigration> flyway_applied(const MigrationSet& files, const FileIndex& index,
                                             const std::vector<NativeRow>& rows) {
  std::map<std::int64_t, AppliedMigration> entries;
  std::optional<std::int64_t> baseline;
  for (const auto& row : rows) {
    if (row.version.empty()) continue; // repeatable migrations and the schema marker
    if (row.type == "BASELINE") {
      baseline = index.entry(row.version).version;
      continue;
    }
    if (row.type == "UNDO_SQL") {
      AppliedMigration a = index.entry(row.version);
      auto it = entries.find(a.version);
      if (it == entries.end()) continue;
      // An undo that succeeded takes the version back; one that failed leaves it failed.
      if (row.flag) {
        entries.erase(it);
      } else {
        it->second.success = false;
      }
      continue;
    }
    if (row.type != "SQL") continue;
    AppliedMigration a = index.entry(row.version);
    if (a.description.empty()) a.description = row.description;
    a.installed_on = row.installed_on;
    a.success = row.flag;
    a.execution_time_ns = row.execution_time_ms * 1'000'000;
    if (row.checksum) {
      a.recorded = RecordedChecksum::flyway;
      a.checksum = flyway_checksum_bytes(*row.checksum);
    }
    entries.insert_or_assign(a.version, std::move(a));
  }
  if (baseline) {
    // Flyway takes every migration up to the baseline as applied, without a checksum.
    for (const auto& m : files.all()) {
      if (m.version > *baseline) break;
      AppliedMigration a;
      a.version = m.version;
      a.description = m.description;
      a.recorded = RecordedChecksum::none;
      a.duration_recorded = false;
      entries.emplace(m.version, std::move(a));
    }
  }
  return sorted(std::move(entries));
}

} // namespace

HistoryKind native_history_kind(Layout layout) {
  switch (layout) {
  case Layout::sqlx: return HistoryKind::sqlx;
  case Layout::golang_migrate: return HistoryKind::golang_migrate;
  case Layout::goose: return HistoryKind::goose;
  case Layout::dbmate: return HistoryKind::dbmate;
  case Layout::flyway: return HistoryKind::flyway;
  case Layout::diesel: return HistoryKind::diesel;
  }
  return HistoryKind::sqlx;
}

std::string_view native_table_name(HistoryKind kind) {
  switch (kind) {
  case HistoryKind::sqlx: return "_sqlx_migrations";
  case HistoryKind::golang_migrate:
  case HistoryKind::dbmate: return "schema_migrations";
  case HistoryKind::goose: return "goose_db_version";
  case HistoryKind::flyway: return "flyway_schema_history";
  case HistoryKind::diesel: return "__diesel_schema_migrations";
  }
  return "_sqlx_migrations";
}

std::string describe_history(HistoryKind kind) {
  const char* tool = "sqlx";
  switch (kind) {
  case HistoryKind::sqlx: tool = "sqlx"; break;
  case HistoryKind::golang_migrate: tool = "golang-migrate"; break;
  case HistoryKind::goose: tool = "goose"; break;
  case HistoryKind::dbmate: tool = "dbmate"; break;
  case HistoryKind::flyway: tool = "Flyway"; break;
  case HistoryKind::diesel: tool = "diesel"; break;
  }
  return fmt::format("{}'s {}", tool, native_table_name(kind));
}

bool records_checksum(HistoryKind kind) {
  return kind == HistoryKind::sqlx || kind == HistoryKind::flyway;
}

std::string native_version(HistoryKind kind, const Migration& migration) {
  std::string text = shown_version(migration.version, migration.version_text);
  switch (kind) {
  case HistoryKind::sqlx:
  case HistoryKind::golang_migrate:
  case HistoryKind::goose: return std::to_string(migration.version);
  case HistoryKind::flyway: std::replace(text.begin(), text.end(), '_', '.'); return text;
  case HistoryKind::dbmate:
  case HistoryKind::diesel: return text;
  }
  return text;
}

std::int32_t flyway_checksum(std::string_view bytes) {
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  // CRC-32 fed line by line without the line breaks is the CRC-32 of the text without them.
  std::string joined;
  joined.reserve(bytes.size());
  for (char c : bytes) {
    if (c != '\n' && c != '\r') joined.push_back(c);
  }
  return static_cast<std::int32_t>(crc32(joined));
}

Checksum flyway_checksum_bytes(std::int32_t checksum) {
  const auto u = static_cast<std::uint32_t>(checksum);
  return {static_cast<std::uint8_t>(u >> 24U), static_cast<std::uint8_t>(u >> 16U),
          static_cast<std::uint8_t>(u >> 8U), static_cast<std::uint8_t>(u)};
}

std::int64_t golang_migrate_lock_key(std::string_view database, std::string_view schema,
                                     std::string_view table) {
  std::string joined;
  joined.append(schema).push_back('\0');
  joined.append(table).push_back('\0');
  joined.append(database);
  // Go multiplies two uint32 values: the product wraps at 32 bits.
  const std::uint32_t key = crc32(joined) * std::uint32_t{1486364155};
  return static_cast<std::int64_t>(key);
}

std::int64_t flyway_lock_key(std::string_view schema, std::string_view table) {
  const std::string quoted = fmt::format("\"{}\".\"{}\"", schema, table);
  // Java's String.hashCode over UTF-16 code units, wrapping at 32 bits.
  std::uint32_t hash = 0;
  auto add = [&hash](std::uint32_t unit) { hash = hash * 31U + unit; };
  for (std::size_t i = 0; i < quoted.size();) {
    const auto b = static_cast<unsigned char>(quoted[i]);
    std::uint32_t cp = b;
    std::size_t len = 1;
    if (b >= 0xF0) {
      len = 4;
      cp = b & 0x07U;
    } else if (b >= 0xE0) {
      len = 3;
      cp = b & 0x0FU;
    } else if (b >= 0xC0) {
      len = 2;
      cp = b & 0x1FU;
    }
    for (std::size_t k = 1; k < len && i + k < quoted.size(); ++k)
      cp = (cp << 6U) | (static_cast<unsigned char>(quoted[i + k]) & 0x3FU);
    if (cp > 0xFFFF) {
      cp -= 0x10000;
      add(0xD800U + (cp >> 10U));
      add(0xDC00U + (cp & 0x3FFU));
    } else {
      add(cp);
    }
    i += len;
  }
  // LOCK_MAGIC_NUM: the bytes of "Flyway" as a number, plus the int hash (sign-extended).
  constexpr std::int64_t k_magic =
      (0x46LL << 40) + (0x6CLL << 32) + (0x79LL << 24) + (0x77LL << 16) + (0x61LL << 8) + 0x79LL;
  return k_magic + static_cast<std::int64_t>(static_cast<std::int32_t>(hash));
}

std::vector<AppliedMigration> native_applied(HistoryKind kind, const MigrationSet& files,
                                             const std::vector<NativeRow>& rows) {
  const FileIndex index(kind, files, rows);
  std::vector<AppliedMigration> applied;
  switch (kind) {
  case HistoryKind::golang_migrate: applied = golang_migrate_applied(files, rows); break;
  case HistoryKind::goose: applied = goose_applied(index, rows); break;
  case HistoryKind::dbmate:
  case HistoryKind::diesel: applied = every_row_applied(index, rows); break;
  case HistoryKind::flyway: applied = flyway_applied(files, index, rows); break;
  case HistoryKind::sqlx: break;
  }
  // Only Flyway's rows carry an execution time.
  if (kind != HistoryKind::flyway) {
    for (auto& a : applied) a.duration_recorded = false;
  }
  return applied;
}

} // namespace preflight::migrate
