// Flyway (github.com/flyway/flyway, commit c5e20fc77341): internal/resource/ResourceNameParser.java
// reads `V<version>__<desc>.sql`, `U<version>__<desc>.sql` (undo) and `R__<desc>.sql`
// (repeatable), description with '_' as spaces; api/MigrationVersion.java turns '_' into '.',
// splits at dots and compares the parts as integers, a missing part counting as 0 (1 = 1.0);
// internal/info/MigrationInfoServiceImpl.java re-applies a repeatable migration after the
// versioned ones whenever its checksum differs from its latest run's;
// internal/parser/PlaceholderReplacingReader.java replaces ${name} and fails on an unknown one;
// flyway-database-postgresql PostgreSQLParser.java runs a migration outside a transaction when
// its statements cannot run in one, and refuses a migration mixing both kinds (mixed = false).

#include <algorithm>
#include <charconv>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/migrate/flyway_version.h"
#include "core/migrate/layouts/assemble.h"
#include "core/migrate/layouts/readers.h"
#include "core/migrate/native_history.h"
#include "core/migrate/source_entry.h"

namespace preflight::migrate::layouts {

namespace {

std::string own_name(const std::string& name) {
  auto slash = name.rfind('/');
  return slash == std::string::npos ? name : name.substr(slash + 1);
}

bool ends_with_sql(const std::string& name) {
  return name.size() > 4 && name.compare(name.size() - 4, 4, ".sql") == 0;
}

ScriptDecision flyway_rule(const ScriptSource& script, const ScriptShape& shape) {
  if (shape.control_offset) {
    // The control statement is the problem, whatever else the script holds.
    return in_transaction_rule(script, shape,
                               {"Flyway", "migration", true,
                                "remove the transaction control: Flyway manages the transaction"});
  }
  ScriptDecision d;
  if (shape.refused_count == 0) return d;
  if (shape.refused_count < shape.statements) {
    d.problem = error_at(script.path, script.sql, *shape.refused_offset,
                         fmt::format("Flyway runs a migration with {} outside a transaction, but "
                                     "this one also has statements that run in one: Flyway "
                                     "refuses to mix both (mixed = false)",
                                     shape.refused_what),
                         "move it to a migration of its own");
    return d;
  }
  d.no_transaction = true;
  d.dry_run_refusal = dry_run_refusal(script, shape);
  return d;
}

// ${name} replaced as Flyway does, in the whole text (comments too).
std::string replace_placeholders(const std::string& path, const std::string& file_name,
                                 const std::string& text,
                                 const std::map<std::string, std::string>& extra,
                                 std::optional<Error>& problem) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (true) {
    auto open = text.find("${", pos);
    if (open == std::string::npos) break;
    auto close = text.find('}', open + 2);
    if (close == std::string::npos) break;
    const std::string name = text.substr(open + 2, close - open - 2);
    std::optional<std::string> value;
    if (auto it = extra.find(name); it != extra.end())
      value = it->second;
    else if (name == "flyway:filename")
      value = file_name;
    else if (name == "flyway:table")
      value = "flyway_schema_history";
    if (!value) {
      if (!problem) {
        problem = error_at(path, text, open,
                           fmt::format("No value provided for placeholder: ${{{}}}", name),
                           "Flyway replaces ${…} everywhere in a migration; preflight knows "
                           "${flyway:filename} and ${flyway:table}");
      }
      value = text.substr(open, close + 1 - open);
    }
    out.append(text, pos, open - pos);
    out += *value;
    pos = close + 1;
  }
  out.append(text, pos, std::string::npos);
  return out;
}

// A script as Flyway runs it, with what Flyway records of it: the name below the folder and its
// checksum (of the file; for a repeatable, of the text with placeholders replaced, the file's
// own checksum then also matching: SqlMigrationResolver.getChecksumForLoadableResource).
ScriptSource flyway_script(const SourceFile& file, const LayoutOptions& layout_options,
                           bool repeatable) {
  std::string text = file.bytes;
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
  std::optional<Error> problem;
  std::string sql = replace_placeholders(file.path, own_name(file.name), text,
                                         layout_options.placeholders, problem);
  ScriptSource source{file.path, std::move(sql), false, false, std::move(problem)};
  source.native_name = file.name;
  if (repeatable) {
    source.native_checksum = flyway_checksum(source.sql);
    source.equivalent_checksum = flyway_checksum(file.bytes);
  } else {
    source.native_checksum = flyway_checksum(file.bytes);
  }
  return source;
}

} // namespace

bool flyway_named(const std::string& name) {
  if (!ends_with_sql(name) || name.size() < 2) return false;
  if (name.rfind("R__", 0) == 0) return true;
  return (name[0] == 'V' || name[0] == 'U') && name[1] >= '0' && name[1] <= '9' &&
         name.find("__") != std::string::npos;
}

MigrationSet read_flyway(std::vector<SourceFile>&& files, const DiscoveryOptions& options,
                         const LayoutOptions& layout_options) {
  std::vector<Error> errors;
  struct Slot {
    SourceFile* versioned = nullptr;
    SourceFile* undo = nullptr;
    std::string version_text, description;
  };
  std::map<std::vector<std::string>, Slot, FlywayVersionOrder> slots;
  std::vector<Candidate> candidates;
  for (auto& file : files) {
    const std::string name = own_name(file.name);
    if (!ends_with_sql(name) || name.empty()) continue;
    const char prefix = name[0];
    const bool looks_versioned =
        (prefix == 'V' || prefix == 'U') && name.size() > 1 && name[1] >= '0' && name[1] <= '9';
    const bool looks_repeatable = name.rfind("R_", 0) == 0;
    if (!looks_versioned && !looks_repeatable) continue; // callbacks, other files
    if (!is_valid_utf8(name)) {
      errors.push_back(name_not_utf8(file.path));
      continue;
    }
    const std::string stem = name.substr(1, name.size() - 5);
    const auto separator = stem.find("__");
    if (separator == std::string::npos) {
      errors.push_back(file_error(
          file.path,
          "named like a Flyway migration but without the \"__\" separator: Flyway ignores it",
          fmt::format("name it {}<version>__<description>.sql", prefix)));
      continue;
    }
    if (looks_repeatable) {
      if (separator != 0) continue;
      Candidate c;
      c.repeatable = true;
      c.description = stem.substr(2);
      std::replace(c.description.begin(), c.description.end(), '_', ' ');
      c.origin = file.path;
      c.checksum_of = file.bytes;
      c.up = flyway_script(file, layout_options, true);
      candidates.push_back(std::move(c));
      continue;
    }
    const std::string version_text = stem.substr(0, separator);
    auto parts = flyway_version_parts(version_text);
    if (!parts) {
      errors.push_back(
          file_error(file.path,
                     fmt::format("Invalid versioned migration name format: {} (could not "
                                 "recognise version number {})",
                                 name, version_text),
                     "Flyway versions are numbers separated by '.' or '_', e.g. V1.2__x.sql"));
      continue;
    }
    Slot& slot = slots[*parts];
    SourceFile*& place = prefix == 'V' ? slot.versioned : slot.undo;
    if (place != nullptr) {
      errors.push_back(
          file_error(file.path,
                     fmt::format("Found more than one migration with version {}: also {}",
                                 version_text, place->path),
                     "Flyway compares versions as numbers: 1, 01 and 1.0 are one version"));
      continue;
    }
    place = &file;
    if (prefix == 'V') {
      // What Flyway writes in its history: '_' as '.', leading zeros kept.
      slot.version_text = version_text;
      std::replace(slot.version_text.begin(), slot.version_text.end(), '_', '.');
      std::string description = stem.substr(separator + 2);
      std::replace(description.begin(), description.end(), '_', ' ');
      slot.description = std::move(description);
    }
  }

  // A folder of single-number versions keys on the number; one with a dotted version keys on
  // each version's rank in Flyway's order (flyway_version.h).
  const bool ranked = std::any_of(slots.begin(), slots.end(),
                                  [](const auto& slot) { return slot.first.size() > 1; });
  std::int64_t rank = 0;
  for (auto& [parts, slot] : slots) {
    if (!slot.versioned) {
      errors.push_back(file_error(slot.undo->path,
                                  fmt::format("undo migration without its versioned migration "
                                              "(version {})",
                                              fmt::join(parts, ".")),
                                  "add the matching V…__ file"));
      continue;
    }
    std::int64_t version = ++rank * k_flyway_rank_step;
    if (!ranked) {
      const std::string& digits = parts.front();
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), version);
      if (ec != std::errc{}) {
        errors.push_back(
            file_error(slot.versioned->path,
                       fmt::format("version {} is larger than a 64-bit integer", slot.version_text),
                       "preflight's history keeps 64-bit versions"));
        continue;
      }
    }
    Candidate c;
    c.version = version;
    c.version_text = slot.version_text == std::to_string(version) ? "" : slot.version_text;
    c.description = slot.description;
    c.order_key = fmt::format("{:020}", version);
    c.origin = slot.versioned->path;
    c.checksum_of = slot.versioned->bytes;
    c.up = flyway_script(*slot.versioned, layout_options, false);
    if (slot.undo) c.down = flyway_script(*slot.undo, layout_options, false);
    candidates.push_back(std::move(c));
  }
  return assemble(std::move(candidates), std::move(errors), LayoutRules{"Flyway", &flyway_rule},
                  options);
}

} // namespace preflight::migrate::layouts
