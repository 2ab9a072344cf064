#include "core/migrate/lock_trace.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include <fmt/format.h>

#include "core/error.h"
#include "core/sql/statement_text.h"
#include "core/sql/text_position.h"
#include "core/text/text.h"

namespace preflight::migrate {

namespace {

// CREATE/DROP INDEX CONCURRENTLY and DETACH … CONCURRENTLY carry "concurrent": true; REINDEX
// carries a "concurrently" option.
bool is_concurrent(const nlohmann::json& node) {
  if (node.is_object()) {
    if (node.value("concurrent", false)) return true;
    if (node.contains("DefElem") && node["DefElem"].value("defname", "") == "concurrently")
      return true;
    for (const auto& [key, child] : node.items()) {
      if (child.is_structured() && is_concurrent(child)) return true;
    }
  } else if (node.is_array()) {
    for (const auto& child : node) {
      if (is_concurrent(child)) return true;
    }
  }
  return false;
}

} // namespace

TracedStatement statement_record(std::int64_t version, const std::string& direction,
                                 std::size_t index, const std::string& file, std::string_view sql,
                                 const sql::Statement& statement) {
  TracedStatement record;
  record.version = version;
  record.direction = direction;
  record.index = index;
  record.file = file;
  record.line = sql::line_column_at(sql, statement.offset).line;
  record.text = text::one_line(statement.text, 80);
  return record;
}

std::vector<TracedStatement> untraced_statements(std::int64_t version, const std::string& direction,
                                                 const std::string& file, std::string_view sql,
                                                 const std::string& reason) {
  std::vector<TracedStatement> records;
  std::size_t index = 0;
  for (const auto& statement : sql::parse_statements(sql)) {
    auto record = statement_record(version, direction, ++index, file, sql, statement);
    record.traced = false;
    record.note = is_concurrent(statement.tree)
                      ? "CONCURRENTLY cannot run inside a transaction, so a dry run cannot trace it"
                      : reason;
    records.push_back(std::move(record));
  }
  return records;
}

void finish_migration(std::vector<TracedStatement>& statements, std::size_t first,
                      std::int64_t threshold_ns) {
  // Locks are released only when the transaction ends, so a lock taken by statement i is held
  // for the rest of the migration: the durations of i and every statement after it.
  std::int64_t remaining = 0;
  for (std::size_t i = statements.size(); i > first; --i) {
    TracedStatement& s = statements[i - 1];
    if (s.traced) remaining += s.duration_ns;
    for (auto& lock : s.locks) {
      lock.held_ns = remaining;
      lock.dangerous = is_dangerous(lock.mode) && lock.held_ns > threshold_ns;
    }
  }
}

std::vector<BlockedTable> blocked_tables(const LockTrace& trace) {
  // One entry per migration, table and mode, with the longest hold of that mode.
  std::vector<BlockedTable> entries;
  std::vector<std::size_t> group; // first-seen order of (migration, table), per entry
  std::size_t groups = 0;
  for (const auto& s : trace.statements) {
    for (const auto& lock : s.locks) {
      if (!is_dangerous(lock.mode)) continue;
      const auto same_table = [&](const BlockedTable& t) {
        return t.version == s.version && t.relation == lock.relation;
      };
      auto it = std::find_if(entries.begin(), entries.end(), [&](const BlockedTable& t) {
        return same_table(t) && t.mode == lock.mode;
      });
      if (it != entries.end()) {
        it->held_ns = std::max(it->held_ns, lock.held_ns);
        it->dangerous = it->dangerous || lock.dangerous;
        continue;
      }
      auto seen = std::find_if(entries.begin(), entries.end(), same_table);
      group.push_back(seen == entries.end()
                          ? groups++
                          : group[static_cast<std::size_t>(seen - entries.begin())]);
      entries.push_back({s.version, lock.relation, lock.mode, lock.held_ns, lock.rows,
                         lock.size_bytes, lock.dangerous});
    }
  }
  // The dangerous modes block nested sets (SHARE: writes … ACCESS EXCLUSIVE: everything), so a
  // weaker mode is worth a line only when it was held longer than every stronger one: pairing
  // the strongest mode with the longest hold would overstate what was blocked for how long.
  std::vector<std::pair<std::size_t, BlockedTable>> kept;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const bool dominated = std::any_of(entries.begin(), entries.end(), [&](const BlockedTable& t) {
      return t.version == entries[i].version && t.relation == entries[i].relation &&
             t.mode > entries[i].mode && t.held_ns >= entries[i].held_ns;
    });
    if (!dominated) kept.emplace_back(group[i], entries[i]);
  }
  std::stable_sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) {
    return a.first < b.first || (a.first == b.first && a.second.mode > b.second.mode);
  });
  std::vector<BlockedTable> tables;
  for (auto& [g, t] : kept) tables.push_back(std::move(t));
  return tables;
}

std::string format_bytes(std::int64_t bytes) {
  const double b = static_cast<double>(bytes);
  if (bytes < 1024) return fmt::format("{} B", bytes);
  if (bytes < 1024 * 1024) return fmt::format("{:.0f} kB", b / 1024);
  if (bytes < 1024LL * 1024 * 1024) return fmt::format("{:.1f} MB", b / (1024 * 1024));
  return fmt::format("{:.2f} GB", b / (1024.0 * 1024 * 1024));
}

namespace {

std::string format_rows(double rows) {
  if (rows < 0) return "rows unknown";
  return fmt::format("~{} rows", static_cast<std::int64_t>(std::llround(rows)));
}

} // namespace

std::string blocks_text(const TracedLock& lock) {
  return lock.blocks_note.empty() ? describe(blocked_by(lock.mode)) : lock.blocks_note;
}

nlohmann::json to_json(const LockTrace& trace) {
  auto statements = nlohmann::json::array();
  for (const auto& s : trace.statements) {
    auto locks = nlohmann::json::array();
    for (const auto& l : s.locks) {
      locks.push_back({{"relation", l.relation},
                       {"mode", lock_mode_name(l.mode)},
                       {"blocks", blocks_text(l)},
                       {"rewrite", l.rewrite},
                       {"rows", l.rows},
                       {"size_bytes", l.size_bytes},
                       {"held_ns", l.held_ns},
                       {"dangerous", l.dangerous}});
    }
    nlohmann::json j{{"version", s.version}, {"direction", s.direction},
                     {"index", s.index},     {"file", s.file},
                     {"line", s.line},       {"statement", s.text},
                     {"traced", s.traced},   {"duration_ns", s.duration_ns},
                     {"locks", locks}};
    if (!s.note.empty()) j["note"] = s.note;
    if (s.failed) j["failed"] = true;
    statements.push_back(std::move(j));
  }
  auto blocked = nlohmann::json::array();
  for (const auto& t : blocked_tables(trace)) {
    blocked.push_back({{"version", t.version},
                       {"relation", t.relation},
                       {"mode", lock_mode_name(t.mode)},
                       {"blocks", describe(blocked_by(t.mode))},
                       {"held_ns", t.held_ns},
                       {"rows", t.rows},
                       {"size_bytes", t.size_bytes},
                       {"dangerous", t.dangerous}});
  }
  return {{"threshold_ns", trace.threshold_ns},
          {"statements", statements},
          {"blocked_tables", blocked}};
}

namespace {

template <class T> T field(const nlohmann::json& j, const char* key, T fallback) {
  if (!j.contains(key) || j.at(key).is_null()) return fallback;
  try {
    return j.at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw Error(ErrorKind::input, fmt::format("lock trace: `{}` has the wrong type", key));
  }
}

LockMode mode_from_json(const std::string& text) {
  if (auto mode = lock_mode_from_pg(text)) return *mode;
  for (int number = 1; number <= 8; ++number) {
    const auto mode = lock_mode_from_number(number);
    if (mode && lock_mode_name(*mode) == text) return *mode;
  }
  throw Error(ErrorKind::input, fmt::format("lock trace: unknown lock mode \"{}\"", text));
}

} // namespace

LockTrace lock_trace_from_json(const nlohmann::json& document) {
  LockTrace trace;
  // Results files before the trace was an object held the statements array alone.
  const bool whole = document.is_object();
  if (whole) trace.threshold_ns = field<std::int64_t>(document, "threshold_ns", trace.threshold_ns);
  const nlohmann::json& statements =
      whole && document.contains("statements") ? document.at("statements") : document;
  if (!statements.is_array()) {
    throw Error(ErrorKind::input, "lock trace: expected an array of statements");
  }
  for (const auto& entry : statements) {
    if (!entry.is_object())
      throw Error(ErrorKind::input, "lock trace: a statement is not an object");
    TracedStatement s;
    s.version = field<std::int64_t>(entry, "version", 0);
    s.direction = field<std::string>(entry, "direction", "up");
    s.index = field<std::size_t>(entry, "index", 0);
    s.file = field<std::string>(entry, "file", "");
    s.line = field<std::uint32_t>(entry, "line", 0);
    s.text = field<std::string>(entry, "statement", "");
    s.duration_ns = field<std::int64_t>(entry, "duration_ns", 0);
    s.traced = field<bool>(entry, "traced", true);
    s.failed = field<bool>(entry, "failed", false);
    s.note = field<std::string>(entry, "note", "");
    const auto locks = entry.find("locks");
    if (locks != entry.end() && locks->is_array()) {
      for (const auto& lock : *locks) {
        if (!lock.is_object()) throw Error(ErrorKind::input, "lock trace: a lock is not an object");
        TracedLock l;
        l.relation = field<std::string>(lock, "relation", "");
        l.mode = mode_from_json(field<std::string>(lock, "mode", ""));
        l.rewrite = field<bool>(lock, "rewrite", false);
        l.rows = field<double>(lock, "rows", 0);
        l.size_bytes = field<std::int64_t>(lock, "size_bytes", 0);
        l.held_ns = field<std::int64_t>(lock, "held_ns", 0);
        l.dangerous = field<bool>(lock, "dangerous", false);
        // Kept only where it says more than the mode: older tracers wrote their own words.
        const auto blocks = field<std::string>(lock, "blocks", "");
        if (blocks != describe(blocked_by(l.mode))) l.blocks_note = blocks;
        s.locks.push_back(std::move(l));
      }
    }
    trace.statements.push_back(std::move(s));
  }
  return trace;
}

std::vector<std::string> render_lock_trace(const LockTrace& trace) {
  std::vector<std::string> lines;
  for (const auto& s : trace.statements) {
    lines.push_back(fmt::format("{} {}:{}  {}", s.version, s.file, s.line, s.text));
    if (s.failed) {
      lines.push_back(
          fmt::format("    FAILED after {}; {}", text::format_duration_ns(s.duration_ns), s.note));
      continue;
    }
    if (!s.traced) {
      lines.push_back("    not traced: " + s.note);
      continue;
    }
    if (s.locks.empty()) {
      lines.push_back(fmt::format("    {}; no lock on an existing table",
                                  text::format_duration_ns(s.duration_ns)));
      continue;
    }
    lines.push_back(fmt::format("    ran {}", text::format_duration_ns(s.duration_ns)));
    for (const auto& l : s.locks) {
      lines.push_back(fmt::format(
          "    {} {} on {} ({}, {}){}: blocks {}, held {} until the migration ends",
          l.dangerous ? "!!" : "  ", lock_mode_name(l.mode), l.relation, format_rows(l.rows),
          format_bytes(l.size_bytes), l.rewrite ? ", REWRITTEN" : "", describe(blocked_by(l.mode)),
          text::format_duration_ns(l.held_ns)));
    }
  }
  auto blocked = blocked_tables(trace);
  if (blocked.empty()) {
    lines.push_back(
        "No SHARE-or-stronger lock on an existing table: reads and writes keep flowing.");
    return lines;
  }
  lines.push_back(fmt::format("Blocked while the migration runs (!! = held longer than {}):",
                              text::format_duration_ns(trace.threshold_ns)));
  for (const auto& t : blocked) {
    lines.push_back(fmt::format("  {} migration {}: {} on {} would be blocked for {} ({})",
                                t.dangerous ? "!!" : "  ", t.version, describe(blocked_by(t.mode)),
                                t.relation, text::format_duration_ns(t.held_ns),
                                lock_mode_name(t.mode)));
  }
  return lines;
}

} // namespace preflight::migrate
