// dbmate (github.com/amacneil/dbmate, commit f3e08f15e39d): pkg/dbmate/db.go takes files named
// `^(\d+).*\.sql$` in one folder, version = the leading digits, sorted by file name;
// pkg/dbmate/migration.go splits a file at `-- migrate:up` / `-- migrate:down` lines (options
// such as `transaction:false` on the same line) and refuses statements before the up block.
// dbmate sends a block as one query, in a transaction together with its history row unless
// transaction:false.

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

#include "core/migrate/layouts/assemble.h"
#include "core/migrate/layouts/readers.h"
#include "core/migrate/source_entry.h"

namespace preflight::migrate::layouts {

namespace {

struct Directive {
  std::size_t offset = 0;   // start of the line
  std::size_t line_end = 0; // end of the line
  bool transaction = true;  // no transaction:false option
};

// `^--\s*migrate:<kind>(\s*$|\s+\S+)` at a line start.
std::optional<Directive> directive_at(const std::string& text, std::size_t pos,
                                      std::string_view kind) {
  std::size_t eol = text.find('\n', pos);
  if (eol == std::string::npos) eol = text.size();
  std::string_view line(text.data() + pos, eol - pos);
  if (line.substr(0, 2) != "--") return std::nullopt;
  std::size_t i = 2;
  while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
  const std::string word = fmt::format("migrate:{}", kind);
  if (line.substr(i, word.size()) != word) return std::nullopt;
  i += word.size();
  if (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) return std::nullopt;
  Directive d{pos, eol, true};
  // Options: whitespace-separated key:value pairs after the directive.
  std::string_view rest = line.substr(i);
  std::size_t k = 0;
  while (k < rest.size()) {
    while (k < rest.size() && std::isspace(static_cast<unsigned char>(rest[k]))) ++k;
    std::size_t start = k;
    while (k < rest.size() && !std::isspace(static_cast<unsigned char>(rest[k]))) ++k;
    auto pair = rest.substr(start, k - start);
    auto colon = pair.find(':');
    if (colon != std::string_view::npos && pair.find(':', colon + 1) == std::string_view::npos &&
        pair.substr(0, colon) == "transaction" && pair.substr(colon + 1) == "false")
      d.transaction = false;
  }
  return d;
}

std::vector<Directive> directives(const std::string& text, std::string_view kind) {
  std::vector<Directive> found;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    if (auto d = directive_at(text, pos, kind)) found.push_back(*d);
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) break;
    pos = eol + 1;
  }
  return found;
}

ScriptDecision dbmate_rule(const ScriptSource& script, const ScriptShape& shape) {
  if (script.declared_no_transaction)
    return one_query_rule(script, shape, "dbmate", "move it to a migration of its own");
  return in_transaction_rule(script, shape,
                             {"dbmate", "block", true,
                              "add transaction:false to the block's directive line, e.g. "
                              "`-- migrate:up transaction:false`"});
}

bool blank_or_comment(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
  return i == line.size() || line.substr(i, 2) == "--";
}

} // namespace

bool has_dbmate_up(const std::string& bytes) {
  return !directives(bytes, "up").empty();
}

MigrationSet read_dbmate(std::vector<SourceFile>&& files, const DiscoveryOptions& options) {
  std::vector<Error> errors;
  std::vector<Candidate> candidates;
  for (auto& file : files) {
    const std::string& name = file.name;
    if (name.find('/') != std::string::npos) continue; // one folder, not recursive
    if (!starts_with_digits(name) || name.size() < 4 ||
        name.compare(name.size() - 4, 4, ".sql") != 0)
      continue;
    std::size_t digits = 0;
    while (digits < name.size() && std::isdigit(static_cast<unsigned char>(name[digits]))) ++digits;
    const std::string version_text = name.substr(0, digits);
    std::int64_t version = 0;
    auto [end, ec] =
        std::from_chars(version_text.data(), version_text.data() + version_text.size(), version);
    if (ec != std::errc{} || end != version_text.data() + version_text.size()) {
      errors.push_back(file_error(
          file.path, fmt::format("version {} is larger than a 64-bit integer", version_text),
          "preflight's history keeps 64-bit versions"));
      continue;
    }
    if (!is_valid_utf8(file.name)) {
      errors.push_back(name_not_utf8(file.path));
      continue;
    }
    std::string text = file.bytes;
    if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
    const auto ups = directives(text, "up");
    const auto downs = directives(text, "down");
    Candidate c;
    c.version = version;
    c.version_text = version_text == std::to_string(version) ? "" : version_text;
    std::string description = name.substr(digits, name.size() - digits - 4);
    if (!description.empty() && description.front() == '_') description.erase(0, 1);
    std::replace(description.begin(), description.end(), '_', ' ');
    c.description = std::move(description);
    c.order_key = name;
    c.origin = file.path;
    c.checksum_of = file.bytes;
    ScriptSource up{file.path, text, false, false, {}};
    if (ups.empty()) {
      up.problem = file_error(file.path, "dbmate requires each migration to define an up block "
                                         "with '-- migrate:up'");
      c.up = std::move(up);
      candidates.push_back(std::move(c));
      continue;
    }
    if (ups.size() > 1 || downs.size() > 1) {
      up.problem = error_at(file.path, text, (ups.size() > 1 ? ups[1] : downs[1]).offset,
                            "several -- migrate:up / -- migrate:down blocks in one file: "
                            "preflight reads one block of each",
                            "split the file into one migration per block");
      c.up = std::move(up);
      candidates.push_back(std::move(c));
      continue;
    }
    const Directive& u = ups.front();
    for (std::size_t pos = 0; pos < u.offset;) {
      std::size_t eol = text.find('\n', pos);
      if (eol == std::string::npos || eol > u.offset) eol = u.offset;
      if (!blank_or_comment(std::string_view(text).substr(pos, eol - pos))) {
        up.problem = error_at(file.path, text, pos,
                              "dbmate does not support statements preceding the "
                              "'-- migrate:up' block");
        break;
      }
      pos = eol + 1;
    }
    const std::size_t up_end = downs.empty() ? text.size() : downs.front().offset;
    if (!downs.empty() && downs.front().offset < u.offset && !up.problem) {
      up.problem = error_at(file.path, text, downs.front().offset,
                            "dbmate requires '-- migrate:up' to appear before '-- migrate:down'");
    }
    blank_out(up.sql, 0, u.offset);
    if (up_end > u.offset) blank_out(up.sql, up_end, text.size());
    up.declared_no_transaction = !u.transaction;
    c.up = std::move(up);
    ScriptSource down{file.path, text, false, false, {}};
    if (downs.empty()) {
      // dbmate refuses the file; preflight only refuses to revert it.
      down.problem = file_error(file.path, "dbmate requires each migration to define a down "
                                           "block with '-- migrate:down'");
    } else {
      blank_out(down.sql, 0, downs.front().offset);
      down.declared_no_transaction = !downs.front().transaction;
    }
    c.down = std::move(down);
    candidates.push_back(std::move(c));
  }
  return assemble(std::move(candidates), std::move(errors), LayoutRules{"dbmate", &dbmate_rule},
                  options);
}

} // namespace preflight::migrate::layouts
