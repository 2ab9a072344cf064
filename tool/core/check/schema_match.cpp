#include "core/check/schema_match.h"

#include <algorithm>
#include <sstream>

#include <fmt/format.h>

namespace preflight::check {

namespace {

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  return text;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

SchemaMatch finish(SchemaMatch match, const std::vector<std::string>& differences) {
  match.passed = differences.empty();
  for (const auto& d : differences) match.detail += (match.detail.empty() ? "" : "\n") + d;
  return match;
}

} // namespace

std::string canonical_index_column(std::string_view written) {
  std::istringstream words{std::string(written)};
  std::string name;
  words >> name;
  bool descending = false;
  std::optional<bool> nulls_first;
  std::string word;
  while (words >> word) {
    auto w = upper(word);
    if (w == "DESC") descending = true;
    if (w == "NULLS" && words >> word) nulls_first = upper(word) == "FIRST";
  }
  return index_column_from_catalog(name, descending, nulls_first.value_or(descending));
}

std::string index_column_from_catalog(const std::string& name, bool descending, bool nulls_first) {
  std::string text = name;
  if (descending) text += " DESC";
  if (nulls_first != descending) text += nulls_first ? " NULLS FIRST" : " NULLS LAST";
  return text;
}

std::string delete_action_name(char confdeltype) {
  switch (confdeltype) {
  case 'c': return "cascade";
  case 'r': return "restrict";
  case 'n': return "set null";
  case 'd': return "set default";
  case 'a': return "no action";
  default: return {};
  }
}

SchemaMatch match_index(const SchemaObject& required, const std::optional<IndexFacts>& found) {
  SchemaMatch match;
  if (!found) {
    match.measured = "missing";
    match.detail = fmt::format("index {} does not exist",
                               required.name.empty() ? "with these columns" : required.name);
    return match;
  }
  match.measured = fmt::format("{}index on {} ({}){}", found->unique ? "unique " : "", found->table,
                               join(found->columns), found->valid ? "" : " INVALID");
  std::vector<std::string> differences;
  if (!found->on_required_table)
    differences.push_back(fmt::format("it is on {}, not {}", found->table, required.table));
  if (!found->valid)
    differences.push_back(
        "it is INVALID (a failed CREATE INDEX CONCURRENTLY?): queries cannot use it");
  if (required.columns) {
    std::vector<std::string> want;
    for (const auto& c : *required.columns) want.push_back(canonical_index_column(c));
    if (want != found->columns) {
      differences.push_back(
          fmt::format("columns are ({}), expected ({})", join(found->columns), join(want)));
    }
  }
  if (required.unique && *required.unique != found->unique) {
    differences.push_back(found->unique ? "it is unique, expected not unique" : "it is not unique");
  }
  return finish(match, differences);
}

SchemaMatch match_constraint(const SchemaObject& required,
                             const std::optional<ConstraintFacts>& found) {
  SchemaMatch match;
  if (!found) {
    match.measured = "missing";
    match.detail = fmt::format("constraint {} does not exist{}", required.name,
                               required.table.empty() ? "" : " on " + required.table);
    return match;
  }
  match.measured = fmt::format("{} on {} ({})", found->type, found->table, join(found->columns));
  if (!found->references.empty()) match.measured += " references " + found->references;
  if (!found->on_delete.empty()) match.measured += " on delete " + found->on_delete;
  if (!found->validated) match.measured += " NOT VALID";
  std::vector<std::string> differences;
  if (!found->on_required_table)
    differences.push_back(fmt::format("it is on {}, not {}", found->table, required.table));
  if (required.columns && *required.columns != found->columns) {
    differences.push_back(fmt::format("columns are ({}), expected ({})", join(found->columns),
                                      join(*required.columns)));
  }
  if (required.references && (found->references.empty() || !found->references_required)) {
    differences.push_back(
        found->references.empty()
            ? "it is not a foreign key"
            : fmt::format("it references {}, not {}", found->references, *required.references));
  }
  if (required.on_delete && *required.on_delete != found->on_delete) {
    differences.push_back(fmt::format("ON DELETE is {}, expected {}",
                                      found->on_delete.empty() ? "n/a" : upper(found->on_delete),
                                      upper(*required.on_delete)));
  }
  return finish(match, differences);
}

SchemaMatch match_column(const SchemaObject& required, const std::optional<ColumnFacts>& found) {
  SchemaMatch match;
  if (!found) {
    match.measured = "missing";
    match.detail = fmt::format("column {}.{} does not exist", required.table, required.name);
    return match;
  }
  match.measured = fmt::format("column {} {}", found->type, found->not_null ? "NOT NULL" : "NULL");
  std::vector<std::string> differences;
  if (required.type && !found->type_matches) {
    differences.push_back(fmt::format("type is {}, expected {}", found->type, *required.type));
  }
  if (required.nullable && *required.nullable == found->not_null) {
    differences.push_back(found->not_null ? "it is NOT NULL, expected nullable"
                                          : "it is nullable, expected NOT NULL");
  }
  return finish(match, differences);
}

} // namespace preflight::check
