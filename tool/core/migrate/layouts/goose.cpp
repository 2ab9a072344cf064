// goose (github.com/pressly/goose, commit 520411a16119): migration.go NumericComponent takes the
// version before the first '_' of a .sql file (int64, at least 1); provider_collect.go skips
// other names and refuses duplicate versions; internal/sqlparser/parser.go reads the annotations
// (Up, Down, StatementBegin/End, NO TRANSACTION, ENVSUB ON/OFF) line by line and ends a statement
// at a line whose last word (before a -- comment) ends in ';'. goose runs each statement on its
// own, in one transaction per file unless NO TRANSACTION.

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>

#include <fmt/format.h>

#include "core/migrate/layouts/assemble.h"
#include "core/migrate/layouts/readers.h"
#include "core/migrate/source_entry.h"
#include "core/sql/parsed_sql.h"
#include "core/sql/text_position.h"

namespace preflight::migrate::layouts {

namespace {

enum class State { start, up, up_begin, up_end, down, down_begin, down_end };

bool in_up(State s) {
  return s == State::up || s == State::up_begin || s == State::up_end;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// parser.go endsWithSemicolon: the last whitespace-separated word before one starting with "--".
bool ends_with_semicolon(std::string_view line) {
  std::string_view last;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    std::size_t start = i;
    while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (start == i) break;
    auto word = line.substr(start, i - start);
    if (starts_with(word, "--")) break;
    last = word;
  }
  return !last.empty() && last.back() == ';';
}

// mfridman/interpolate as goose uses it: $$ is a '$', $NAME, ${NAME}, ${NAME:-default} and
// ${NAME-default}; an unset variable is empty.
std::optional<std::string> substitute(std::string_view line,
                                      const std::map<std::string, std::string>& env) {
  std::string out;
  auto is_name = [](char c, bool first) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
           (!first && std::isdigit(static_cast<unsigned char>(c)));
  };
  auto lookup = [&](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] != '$' || i + 1 >= line.size()) {
      out += line[i];
      continue;
    }
    char next = line[i + 1];
    if (next == '$') {
      out += '$';
      ++i;
    } else if (next == '{') {
      auto close = line.find('}', i + 2);
      if (close == std::string_view::npos) return std::nullopt;
      std::string inner(line.substr(i + 2, close - i - 2));
      std::string name = inner, fallback;
      bool use_default_if_empty = false, has_default = false;
      if (auto p = inner.find(":-"); p != std::string::npos) {
        name = inner.substr(0, p);
        fallback = inner.substr(p + 2);
        use_default_if_empty = has_default = true;
      } else if (auto q = inner.find('-'); q != std::string::npos) {
        name = inner.substr(0, q);
        fallback = inner.substr(q + 1);
        has_default = true;
      }
      auto value = lookup(name);
      if (has_default && (!value || (use_default_if_empty && value->empty()))) value = fallback;
      out += value.value_or("");
      i = close;
    } else if (is_name(next, true)) {
      std::size_t j = i + 1;
      while (j < line.size() && is_name(line[j], false)) ++j;
      out += lookup(std::string(line.substr(i + 1, j - i - 1))).value_or("");
      i = j - 1;
    } else {
      out += line[i];
    }
  }
  return out;
}

struct Parsed {
  std::string up, down; // the file's layout, only each direction's statements kept
  bool no_transaction = false;
  std::optional<Error> up_problem, down_problem;
  std::vector<std::pair<std::size_t, std::size_t>> up_statements, down_statements; // [begin,end)
};

Parsed parse_goose(const std::string& path, const std::string& text,
                   const std::map<std::string, std::string>& env) {
  Parsed p;
  p.up.reserve(text.size());
  p.down.reserve(text.size());
  State state = State::start;
  bool envsub = false;
  bool buffer_empty = true; // goose's buf.Len() == 0
  bool buffer_text = false; // strings.TrimSpace(buf) != "": an unfinished statement
  std::size_t statement_begin = 0;
  auto fail = [&](std::size_t offset, std::string message, std::string hint = {}) {
    auto& slot = in_up(state) || state == State::start ? p.up_problem : p.down_problem;
    if (!slot) slot = error_at(path, text, offset, std::move(message), std::move(hint));
  };
  const std::string hint = "see https://github.com/pressly/goose#sql-migrations";
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t eol = text.find('\n', pos);
    const std::size_t next = eol == std::string::npos ? text.size() : eol + 1;
    std::size_t end = eol == std::string::npos ? text.size() : eol;
    if (end > pos && text[end - 1] == '\r') --end;
    std::string_view line(text.data() + pos, end - pos);
    const std::string_view terminator(text.data() + end, next - end);
    std::string kept_up(line.size(), ' '), kept_down(line.size(), ' ');
    auto emit = [&] {
      p.up += kept_up;
      p.up += terminator;
      p.down += kept_down;
      p.down += terminator;
      pos = next;
    };
    if (state == State::start && trim(line).empty()) {
      emit();
      continue;
    }
    bool statement_end_line = false;
    if (starts_with(trim(line), "--") && line.find("+goose") != std::string_view::npos) {
      if (line.front() == ' ' || line.front() == '\t') {
        fail(pos, fmt::format("goose annotation {:?} starts with whitespace", std::string(line)),
             hint);
        emit();
        continue;
      }
      std::string cmd;
      for (std::size_t i = 0; i < line.size(); ++i) {
        if (line.compare(i, 2, "--") == 0) {
          ++i;
          continue;
        }
        cmd += line[i];
      }
      if (auto g = cmd.find("+goose"); g != std::string::npos) cmd.erase(g, 6);
      const std::string_view c = trim(cmd);
      auto is = [&](std::string_view a) { return iequals(c, a); };
      if (cmd.find("+goose") != std::string::npos || c.empty() ||
          !(is("Up") || is("Down") || is("StatementBegin") || is("StatementEnd") ||
            is("NO TRANSACTION") || is("ENVSUB ON") || is("ENVSUB OFF"))) {
        fail(pos, fmt::format("unknown goose annotation {:?}", std::string(c)), hint);
        emit();
        continue;
      }
      if (is("Up")) {
        if (state != State::start)
          fail(pos, "duplicate '-- +goose Up' annotations", hint);
        else
          state = State::up;
      } else if (is("Down")) {
        if (state == State::up || state == State::up_end) {
          if (buffer_text) {
            fail(statement_begin,
                 "unfinished SQL statement before '-- +goose Down': missing "
                 "semicolon?",
                 "goose ends a statement at a line ending in ';'");
          }
          buffer_empty = true;
          buffer_text = false;
          state = State::down;
        } else {
          fail(pos, "must start with '-- +goose Up' annotation", hint);
        }
      } else if (is("StatementBegin")) {
        if (state == State::up || state == State::up_end)
          state = State::up_begin;
        else if (state == State::down || state == State::down_end)
          state = State::down_begin;
        else
          fail(pos,
               "'-- +goose StatementBegin' must be defined after '-- +goose Up' or "
               "'-- +goose Down' annotation",
               hint);
      } else if (is("StatementEnd")) {
        if (state == State::up_begin)
          state = State::up_end;
        else if (state == State::down_begin)
          state = State::down_end;
        else
          fail(pos, "'-- +goose StatementEnd' must be defined after '-- +goose StatementBegin'",
               hint);
        statement_end_line = state == State::up_end || state == State::down_end;
      } else if (is("NO TRANSACTION")) {
        p.no_transaction = true;
      } else if (is("ENVSUB ON")) {
        envsub = true;
      } else if (is("ENVSUB OFF")) {
        envsub = false;
      }
      if (!statement_end_line) {
        emit();
        continue;
      }
    }
    if (buffer_empty && !statement_end_line && (starts_with(trim(line), "--") || line.empty())) {
      emit();
      continue;
    }
    if (state == State::start) {
      fail(pos, "SQL before the '-- +goose Up' annotation", hint);
      emit();
      continue;
    }
    const bool up = in_up(state);
    std::string& kept = up ? kept_up : kept_down;
    if (statement_end_line) {
      // What ends a StatementBegin block in goose ends a statement here too.
      kept[0] = ';';
    } else {
      std::string value(line);
      if (envsub) {
        auto expanded = substitute(line, env);
        if (!expanded)
          fail(pos, "variable substitution failed: unterminated ${", hint);
        else
          value = std::move(*expanded);
      }
      if (!buffer_text && !trim(value).empty()) statement_begin = pos;
      buffer_text = buffer_text || !trim(value).empty();
      kept = std::move(value);
      buffer_empty = false;
    }
    auto& statements = up ? p.up_statements : p.down_statements;
    if (state == State::up_end || state == State::down_end) {
      if (buffer_text) statements.emplace_back(statement_begin, pos);
      buffer_empty = true;
      buffer_text = false;
      state = up ? State::up : State::down;
    } else if ((state == State::up || state == State::down) && ends_with_semicolon(line)) {
      statements.emplace_back(statement_begin, next);
      buffer_empty = true;
      buffer_text = false;
    }
    emit();
  }
  if (state == State::start) {
    if (!p.up_problem)
      p.up_problem = file_error(path, "must start with '-- +goose Up' annotation", hint);
  } else if (state == State::up_begin || state == State::down_begin) {
    fail(text.size(), "missing '-- +goose StatementEnd' annotation", hint);
  } else if (buffer_text) {
    fail(statement_begin, "unfinished SQL statement at the end of the file: missing semicolon?",
         "goose ends a statement at a line ending in ';'");
  }
  return p;
}

// goose sends each statement on its own: one that goose's line rule cuts inside (a function body
// with ';' at line ends, outside StatementBegin/End) fails in goose.
std::optional<Error> cut_statement(const std::string& path, const std::string& text,
                                   const std::string& kept,
                                   const std::vector<std::pair<std::size_t, std::size_t>>& pieces) {
  for (const auto& [begin, end] : pieces) {
    try {
      sql::split_statements(std::string_view(kept).substr(begin, end - begin));
    } catch (const Error&) {
      const auto cut = sql::line_column_at(text, end == 0 ? 0 : end - 1).line;
      return error_at(path, text, begin,
                      fmt::format("goose ends this statement at line {}, the first line ending "
                                  "in ';', which cuts it: what goose sends does not parse",
                                  cut),
                      "wrap it in -- +goose StatementBegin / -- +goose StatementEnd lines");
    }
  }
  return std::nullopt;
}

ScriptDecision goose_rule(const ScriptSource& script, const ScriptShape& shape) {
  ScriptDecision d;
  if (script.declared_no_transaction) {
    d.no_transaction = true;
    if (shape.control_offset || shape.refused_offset)
      d.dry_run_refusal = dry_run_refusal(script, shape);
    return d;
  }
  return in_transaction_rule(
      script, shape,
      {"goose", "migration", false, "add a -- +goose NO TRANSACTION line to the file"});
}

} // namespace

bool has_goose_up(const std::string& bytes) {
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    std::size_t eol = bytes.find('\n', pos);
    std::string_view line(bytes.data() + pos,
                          (eol == std::string::npos ? bytes.size() : eol) - pos);
    if (starts_with(line, "--") && line.find("+goose") != std::string_view::npos) {
      auto rest = trim(line.substr(line.find("+goose") + 6));
      if (iequals(rest, "Up")) return true;
    }
    if (eol == std::string::npos) break;
    pos = eol + 1;
  }
  return false;
}

bool starts_with_digits(const std::string& name) {
  return !name.empty() && name[0] >= '0' && name[0] <= '9';
}

MigrationSet read_goose(std::vector<SourceFile>&& files, const DiscoveryOptions& options,
                        const LayoutOptions& layout_options) {
  std::vector<Error> errors;
  std::vector<Candidate> candidates;
  for (auto& file : files) {
    const std::string& name = file.name;
    if (name.find('/') != std::string::npos) continue; // goose globs *.sql in one folder
    if (name.size() < 4 || name.compare(name.size() - 4, 4, ".sql") != 0) continue;
    auto underscore = name.find('_');
    if (underscore == std::string::npos) continue;
    const std::string prefix = name.substr(0, underscore);
    std::int64_t version = 0;
    auto [end, ec] = std::from_chars(prefix.data(), prefix.data() + prefix.size(), version);
    if (prefix.empty() || end != prefix.data() + prefix.size()) continue; // not numeric: skipped
    if (ec != std::errc{} || version < 1) {
      errors.push_back(file_error(
          file.path,
          fmt::format("version \"{}\" is not a 64-bit integer greater than zero (goose skips this "
                      "file; preflight refuses to skip a migration)",
                      prefix),
          "goose versions are timestamps (20240101120000) or sequential numbers (00001)"));
      continue;
    }
    if (!is_valid_utf8(file.name)) {
      errors.push_back(name_not_utf8(file.path));
      continue;
    }
    std::string text = file.bytes;
    if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
    Parsed parsed = parse_goose(file.path, text, layout_options.environment);
    // Statement offsets are the file's; ENVSUB values of another length move them.
    const bool same_layout = parsed.up.size() == text.size() && parsed.down.size() == text.size();
    if (!parsed.up_problem && options.check_sql && same_layout)
      parsed.up_problem = cut_statement(file.path, text, parsed.up, parsed.up_statements);
    if (!parsed.down_problem && options.check_sql && same_layout)
      parsed.down_problem = cut_statement(file.path, text, parsed.down, parsed.down_statements);
    Candidate c;
    c.version = version;
    std::string description = name.substr(underscore + 1, name.size() - underscore - 5);
    std::replace(description.begin(), description.end(), '_', ' ');
    c.description = std::move(description);
    c.order_key = fmt::format("{:020}", version);
    c.origin = file.path;
    c.checksum_of = std::move(file.bytes);
    c.up = ScriptSource{file.path, std::move(parsed.up), parsed.no_transaction, false,
                        std::move(parsed.up_problem)};
    // goose reads the down section of every file: one with no statement there is a no-op.
    c.down = ScriptSource{file.path, std::move(parsed.down), parsed.no_transaction, false,
                          std::move(parsed.down_problem)};
    candidates.push_back(std::move(c));
  }
  return assemble(std::move(candidates), std::move(errors), LayoutRules{"goose", &goose_rule},
                  options);
}

} // namespace preflight::migrate::layouts
