#include "core/drift/compare.h"

#include <algorithm>
#include <cctype>
#include <set>

#include <fmt/format.h>

#include "core/text/text.h"

namespace preflight::drift {

std::string to_string(Change change) {
  switch (change) {
  case Change::missing: return "missing";
  case Change::extra: return "extra";
  case Change::changed: return "changed";
  }
  return "changed";
}

namespace {

bool is_space(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

bool hugs(char c) {
  return c == '(' || c == ')' || c == ',' || c == ';' || c == '[' || c == ']';
}

} // namespace

void keep_schema(Catalog& catalog, const std::string& schema) {
  const std::string prefix = schema + ".";
  auto keep = [&](auto& objects) {
    std::erase_if(objects, [&](const auto& entry) { return !entry.first.starts_with(prefix); });
  };
  std::erase_if(catalog.schemas, [&](const auto& entry) { return entry.first != schema; });
  keep(catalog.tables);
  keep(catalog.indexes);
  keep(catalog.sequences);
  keep(catalog.views);
  keep(catalog.functions);
  keep(catalog.triggers);
  keep(catalog.enums);
}

std::string normalize_definition(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  for (std::size_t i = 0; i < text.size();) {
    char c = text[i];
    if (is_space(c)) {
      pending_space = true;
      ++i;
      continue;
    }
    if (pending_space && !out.empty() && !hugs(out.back()) && !hugs(c) && out.back() != '\n')
      out += ' ';
    pending_space = false;
    if (c == '\'' || c == '"') {
      // A quoted literal or identifier is kept byte for byte; a doubled quote stays inside.
      std::size_t end = i + 1;
      while (end < text.size()) {
        if (text[end] == c) {
          if (end + 1 < text.size() && text[end + 1] == c) {
            end += 2;
            continue;
          }
          break;
        }
        ++end;
      }
      out.append(text.substr(i, end + 1 - i));
      i = end + 1;
      continue;
    }
    if (c == '-' && i + 1 < text.size() && text[i + 1] == '-') {
      // A line comment ends at its newline, which must survive: what follows is code again.
      std::size_t end = text.find('\n', i);
      if (end == std::string_view::npos) end = text.size();
      std::string_view comment = text.substr(i, end - i);
      while (!comment.empty() && is_space(comment.back())) comment.remove_suffix(1);
      out.append(comment);
      out += '\n';
      i = end;
      continue;
    }
    out += c;
    ++i;
  }
  while (!out.empty() && is_space(out.back())) out.pop_back();
  return out;
}

std::string quote_literal(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

namespace {

// A definition on one line for people: whitespace runs become one space (what is compared is
// normalize_definition()).
std::string shown(const std::string& definition) {
  return text::one_line(definition, 1'000'000);
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string shown_comment(const std::optional<std::string>& comment) {
  return comment ? quote_literal(*comment) : "(none)";
}

std::string constraint_kind(char type) {
  switch (type) {
  case 'p': return "primary key";
  case 'u': return "unique constraint";
  case 'f': return "foreign key";
  case 'c': return "check constraint";
  case 'x': return "exclusion constraint";
  case 't': return "constraint trigger";
  }
  return "constraint";
}

std::string full_constraint(const Constraint& c) {
  std::string text = c.definition;
  if (c.deferrable) text += " DEFERRABLE";
  if (c.deferred) text += " INITIALLY DEFERRED";
  if (!c.validated) text += " NOT VALID";
  return text;
}

std::string deferrability(const Constraint& c) {
  if (!c.deferrable) return "NOT DEFERRABLE";
  return c.deferred ? "DEFERRABLE INITIALLY DEFERRED" : "DEFERRABLE INITIALLY IMMEDIATE";
}

std::string column_text(const Column& c) {
  std::string text = c.type;
  if (!c.collation.empty()) text += " COLLATE " + c.collation;
  if (!c.identity.empty()) text += " GENERATED " + c.identity + " AS IDENTITY";
  if (!c.generated.empty()) text += " GENERATED ALWAYS AS (" + c.generated + ") STORED";
  if (c.default_expr) text += " DEFAULT " + *c.default_expr;
  if (c.not_null) text += " NOT NULL";
  return text;
}

// pg_get_indexdef() says "CREATE [UNIQUE] INDEX name ON …": the same with CONCURRENTLY.
std::string concurrently(const std::string& index_definition) {
  std::string text = index_definition;
  auto at = text.find("INDEX ");
  if (at != std::string::npos) text.insert(at + 6, "CONCURRENTLY ");
  return text;
}

std::string without_semicolon(std::string text) {
  while (!text.empty() && (is_space(text.back()) || text.back() == ';')) text.pop_back();
  while (!text.empty() && is_space(text.front())) text.erase(text.begin());
  return text;
}

std::string sequence_text(const Sequence& s) {
  return fmt::format("AS {} INCREMENT BY {} MINVALUE {} MAXVALUE {} START WITH {} CACHE {}{}",
                     s.type, s.increment, s.min, s.max, s.start, s.cache,
                     s.cycle ? " CYCLE" : " NO CYCLE");
}

std::string kind_of(const Function& f) {
  switch (f.kind) {
  case 'p': return "procedure";
  case 'a': return "aggregate";
  case 'w': return "window function";
  }
  return "function";
}

class Comparer {
public:
  Comparer(const Catalog& expected, const Catalog& actual, const CompareOptions& options)
      : m_expected(expected), m_actual(actual), m_options(options) {}

  std::vector<Difference> run() {
    extensions();
    schemas();
    enums();
    sequences();
    tables();
    indexes();
    views();
    functions();
    triggers();
    return std::move(m_out);
  }

private:
  bool ignored(const std::string& object, const std::string& owner) const {
    for (const auto& p : m_options.ignore) {
      if (p.matches(object) || (!owner.empty() && p.matches(owner))) return true;
    }
    return false;
  }

  void add(Difference d, const std::string& owner = {}) {
    if (ignored(d.object, owner)) return;
    m_out.push_back(std::move(d));
  }

  void missing(const std::string& kind, const std::string& object, std::string expected,
               std::string explanation, std::optional<std::string> sql,
               const std::string& owner = {}) {
    add({kind, object, Change::missing, "", std::move(expected), "", std::move(explanation),
         std::move(sql)},
        owner);
  }

  void extra(const std::string& kind, const std::string& object, std::string actual,
             std::string explanation, std::optional<std::string> sql,
             const std::string& owner = {}) {
    add({kind, object, Change::extra, "", "", std::move(actual), std::move(explanation),
         std::move(sql)},
        owner);
  }

  void changed(const std::string& kind, const std::string& object, std::string aspect,
               std::string expected, std::string actual, std::string explanation,
               std::optional<std::string> sql, const std::string& owner = {}) {
    add({kind, object, Change::changed, std::move(aspect), std::move(expected), std::move(actual),
         std::move(explanation), std::move(sql)},
        owner);
  }

  void comment(const std::string& kind, const std::string& object, const std::string& on,
               const std::optional<std::string>& expected, const std::optional<std::string>& actual,
               const std::string& owner = {}) {
    if (!m_options.comments || expected == actual) return;
    changed(kind, object, "comment", shown_comment(expected), shown_comment(actual),
            "COMMENT ON changed in the database",
            fmt::format("COMMENT ON {} IS {};", on, expected ? quote_literal(*expected) : "NULL"),
            owner);
  }

  // Walks two maps by key: `only_expected`, `only_actual` and `both` see each name once.
  template <class T, class A, class B, class C>
  void pair(const std::map<std::string, T>& expected, const std::map<std::string, T>& actual,
            A only_expected, B only_actual, C both) {
    for (const auto& [name, e] : expected) {
      auto a = actual.find(name);
      if (a == actual.end()) {
        only_expected(name, e);
      } else {
        both(name, e, a->second);
      }
    }
    for (const auto& [name, a] : actual) {
      if (!expected.count(name)) only_actual(name, a);
    }
  }

  void extensions() {
    pair(
        m_expected.extensions, m_actual.extensions,
        [&](const std::string& name, const Extension& e) {
          missing("extension", name, e.version, "the migrations create this extension",
                  fmt::format("CREATE EXTENSION {} VERSION {} SCHEMA {};", e.sql_name,
                              quote_literal(e.version), e.schema));
        },
        [&](const std::string& name, const Extension& a) {
          extra("extension", name, a.version, "installed in the database by hand",
                fmt::format("DROP EXTENSION {};", a.sql_name));
        },
        [&](const std::string& name, const Extension& e, const Extension& a) {
          if (e.version != a.version) {
            changed("extension", name, "version", e.version, a.version,
                    "ALTER EXTENSION … UPDATE ran in the database, or the migrations pin another "
                    "version",
                    fmt::format("ALTER EXTENSION {} UPDATE TO {};", e.sql_name,
                                quote_literal(e.version)));
          }
          if (e.schema != a.schema) {
            changed("extension", name, "schema", e.schema, a.schema,
                    "the extension's objects live in another schema",
                    fmt::format("ALTER EXTENSION {} SET SCHEMA {};", e.sql_name, e.schema));
          }
        });
  }

  void schemas() {
    pair(
        m_expected.schemas, m_actual.schemas,
        [&](const std::string& name, const Schema& e) {
          missing("schema", name, "", "the migrations create this schema",
                  fmt::format("CREATE SCHEMA {};", e.sql_name));
        },
        [&](const std::string& name, const Schema&) {
          extra("schema", name, "", "created in the database by hand", std::nullopt);
        },
        [&](const std::string& name, const Schema& e, const Schema& a) {
          comment("schema", name, "SCHEMA " + e.sql_name, e.comment, a.comment);
        });
  }

  void enums() {
    pair(
        m_expected.enums, m_actual.enums,
        [&](const std::string& name, const EnumType& e) {
          std::vector<std::string> labels;
          for (const auto& l : e.labels) labels.push_back(quote_literal(l));
          missing("enum", name, join(e.labels), "the migrations create this enum type",
                  fmt::format("CREATE TYPE {} AS ENUM ({});", e.sql_name, join(labels)));
        },
        [&](const std::string& name, const EnumType& a) {
          extra("enum", name, join(a.labels), "created in the database by hand", std::nullopt);
        },
        [&](const std::string& name, const EnumType& e, const EnumType& a) {
          if (e.labels != a.labels) enum_labels(name, e, a);
          comment("enum", name, "TYPE " + e.sql_name, e.comment, a.comment);
        });
  }

  void enum_labels(const std::string& name, const EnumType& e, const EnumType& a) {
    std::set<std::string> expected(e.labels.begin(), e.labels.end());
    std::set<std::string> actual(a.labels.begin(), a.labels.end());
    std::vector<std::string> added, removed;
    for (const auto& l : a.labels)
      if (!expected.count(l)) added.push_back(l);
    for (const auto& l : e.labels)
      if (!actual.count(l)) removed.push_back(l);
    std::string explanation;
    std::optional<std::string> sql;
    if (added.empty() && removed.empty()) {
      explanation = "same labels in another order: sorting and < > comparisons on the type differ";
    } else if (!added.empty() && removed.empty()) {
      // Labels added in place keep the expected ones in their order.
      std::vector<std::string> kept;
      for (const auto& l : a.labels)
        if (expected.count(l)) kept.push_back(l);
      explanation = fmt::format("label{} {} added in the database (ALTER TYPE … ADD VALUE)",
                                added.size() == 1 ? "" : "s", join(added));
      if (kept != e.labels) explanation += ", and the labels are in another order";
    } else if (added.empty() && removed.size() == 1) {
      // One label short: ADD VALUE puts it back where the migrations have it.
      auto at = std::find(e.labels.begin(), e.labels.end(), removed.front()) - e.labels.begin();
      std::vector<std::string> kept;
      for (const auto& l : e.labels)
        if (actual.count(l)) kept.push_back(l);
      explanation = fmt::format("label {} is missing from the database", removed.front());
      if (kept == a.labels) {
        sql = at + 1 < static_cast<long>(e.labels.size())
                  ? fmt::format("ALTER TYPE {} ADD VALUE {} BEFORE {};", e.sql_name,
                                quote_literal(removed.front()),
                                quote_literal(e.labels[static_cast<std::size_t>(at) + 1]))
                  : fmt::format("ALTER TYPE {} ADD VALUE {};", e.sql_name,
                                quote_literal(removed.front()));
      }
    } else {
      explanation = "the labels differ (PostgreSQL cannot remove or reorder enum labels in place)";
    }
    changed("enum", name, "labels", join(e.labels), join(a.labels), explanation, sql);
  }

  void sequences() {
    pair(
        m_expected.sequences, m_actual.sequences,
        [&](const std::string& name, const Sequence& e) {
          missing("sequence", name, sequence_text(e), "the migrations create this sequence",
                  fmt::format("CREATE SEQUENCE {} {};", e.sql_name, sequence_text(e)), e.owned_by);
        },
        [&](const std::string& name, const Sequence& a) {
          extra("sequence", name, sequence_text(a), "created in the database by hand", std::nullopt,
                a.owned_by);
        },
        [&](const std::string& name, const Sequence& e, const Sequence& a) {
          auto aspect = [&](const char* what, const std::string& ev, const std::string& av,
                            const std::string& clause) {
            if (ev == av) return;
            changed("sequence", name, what, ev, av, "ALTER SEQUENCE ran in the database",
                    fmt::format("ALTER SEQUENCE {} {};", e.sql_name, clause), e.owned_by);
          };
          aspect("type", e.type, a.type, "AS " + e.type);
          aspect("increment", std::to_string(e.increment), std::to_string(a.increment),
                 fmt::format("INCREMENT BY {}", e.increment));
          aspect("minvalue", std::to_string(e.min), std::to_string(a.min),
                 fmt::format("MINVALUE {}", e.min));
          aspect("maxvalue", std::to_string(e.max), std::to_string(a.max),
                 fmt::format("MAXVALUE {}", e.max));
          aspect("start", std::to_string(e.start), std::to_string(a.start),
                 fmt::format("START WITH {}", e.start));
          aspect("cache", std::to_string(e.cache), std::to_string(a.cache),
                 fmt::format("CACHE {}", e.cache));
          aspect("cycle", e.cycle ? "CYCLE" : "NO CYCLE", a.cycle ? "CYCLE" : "NO CYCLE",
                 e.cycle ? "CYCLE" : "NO CYCLE");
          if (e.owned_by != a.owned_by) {
            changed("sequence", name, "owned by", e.owned_by.empty() ? "(none)" : e.owned_by,
                    a.owned_by.empty() ? "(none)" : a.owned_by,
                    "the column the sequence belongs to (and is dropped with) differs",
                    std::nullopt, e.owned_by);
          }
          comment("sequence", name, "SEQUENCE " + e.sql_name, e.comment, a.comment, e.owned_by);
        });
  }

  void tables() {
    pair(
        m_expected.tables, m_actual.tables,
        [&](const std::string& name, const Table&) {
          missing("table", name, "", "the migrations create this table; the database lacks it",
                  std::nullopt);
        },
        [&](const std::string& name, const Table& a) {
          extra("table", name, fmt::format("{} columns", a.columns.size()),
                "created in the database by hand (no migration creates it)", std::nullopt);
        },
        [&](const std::string& name, const Table& e, const Table& a) { table(name, e, a); });
  }

  void table(const std::string& name, const Table& e, const Table& a) {
    if (e.kind != a.kind) {
      auto kind = [](char k) {
        return k == 'p' ? "partitioned table" : k == 'f' ? "foreign table" : "table";
      };
      changed("table", name, "kind", kind(e.kind), kind(a.kind),
              "the relation was recreated as another kind", std::nullopt);
    }
    if (e.unlogged != a.unlogged) {
      changed(
          "table", name, "persistence", e.unlogged ? "UNLOGGED" : "LOGGED",
          a.unlogged ? "UNLOGGED" : "LOGGED", "ALTER TABLE … SET LOGGED/UNLOGGED ran",
          fmt::format("ALTER TABLE {} SET {};", e.sql_name, e.unlogged ? "UNLOGGED" : "LOGGED"));
    }
    if (e.partition_key != a.partition_key) {
      changed("table", name, "partition key", e.partition_key, a.partition_key,
              "the table is partitioned differently", std::nullopt);
    }
    if (e.partition_of != a.partition_of || e.partition_bound != a.partition_bound) {
      auto parent = [](const Table& t) {
        return t.partition_of.empty() ? std::string("(not a partition)")
                                      : t.partition_of + " " + t.partition_bound;
      };
      changed("table", name, "partition of", parent(e), parent(a),
              "the table is attached to another parent or with other bounds", std::nullopt);
    }
    columns(name, e, a);
    constraints(name, e, a);
    comment("table", name, "TABLE " + e.sql_name, e.comment, a.comment);
  }

  void columns(const std::string& table, const Table& e, const Table& a) {
    std::map<std::string, const Column*> actual;
    for (const auto& c : a.columns) actual[c.name] = &c;
    std::set<std::string> expected_names;
    for (const auto& c : e.columns) {
      expected_names.insert(c.name);
      const std::string object = table + "." + c.name;
      auto found = actual.find(c.name);
      if (found == actual.end()) {
        std::optional<std::string> sql;
        if (c.generated.empty()) {
          sql = fmt::format("ALTER TABLE {} ADD COLUMN {} {};", e.sql_name, c.sql_name,
                            column_text(c));
        }
        missing("column", object, column_text(c),
                "the migrations create this column; the database lacks it", sql, table);
        continue;
      }
      column(table, e, c, *found->second);
    }
    for (const auto& c : a.columns) {
      if (!expected_names.count(c.name)) {
        extra("column", table + "." + c.name, column_text(c),
              "added in the database by hand (no migration creates it)", std::nullopt, table);
      }
    }
    // Order among the columns both have: an extra column at the end is not an order change.
    std::vector<std::string> expected_order, actual_order;
    for (const auto& c : e.columns)
      if (actual.count(c.name)) expected_order.push_back(c.name);
    for (const auto& c : a.columns)
      if (expected_names.count(c.name)) actual_order.push_back(c.name);
    if (expected_order != actual_order) {
      changed("table", table, "column order", join(expected_order), join(actual_order),
              "a column was dropped and added again: SELECT * and COPY without a column list "
              "see another order",
              std::nullopt);
    }
  }

  void column(const std::string& table, const Table& t, const Column& e, const Column& a) {
    const std::string object = table + "." + e.name;
    const std::string alter = fmt::format("ALTER TABLE {} ALTER COLUMN {}", t.sql_name, e.sql_name);
    if (e.type != a.type) {
      changed("column", object, "type", e.type, a.type, "the column's type was changed by hand",
              fmt::format("{} TYPE {};", alter, e.type), table);
    }
    if (e.not_null != a.not_null) {
      changed("column", object, "not null", e.not_null ? "NOT NULL" : "NULL",
              a.not_null ? "NOT NULL" : "NULL",
              e.not_null ? "NOT NULL was dropped: the database accepts NULLs the migrations refuse"
                         : "NOT NULL was added by hand",
              fmt::format("{} {} NOT NULL;", alter, e.not_null ? "SET" : "DROP"), table);
    }
    if (e.default_expr != a.default_expr) {
      changed("column", object, "default", e.default_expr.value_or("(none)"),
              a.default_expr.value_or("(none)"), "the default was changed in the database",
              e.default_expr ? fmt::format("{} SET DEFAULT {};", alter, *e.default_expr)
                             : fmt::format("{} DROP DEFAULT;", alter),
              table);
    }
    if (e.collation != a.collation) {
      changed("column", object, "collation", e.collation.empty() ? "(the type's)" : e.collation,
              a.collation.empty() ? "(the type's)" : a.collation,
              "text sorts and compares differently",
              fmt::format("{} TYPE {}{};", alter, e.type,
                          e.collation.empty() ? "" : " COLLATE " + e.collation),
              table);
    }
    if (e.identity != a.identity) {
      std::string sql = e.identity.empty() ? alter + " DROP IDENTITY;"
                        : a.identity.empty()
                            ? alter + " ADD GENERATED " + e.identity + " AS IDENTITY;"
                            : alter + " SET GENERATED " + e.identity + ";";
      changed("column", object, "identity", e.identity.empty() ? "(none)" : e.identity,
              a.identity.empty() ? "(none)" : a.identity, "the identity was changed by hand", sql,
              table);
    }
    if (e.generated != a.generated) {
      changed("column", object, "generated", e.generated.empty() ? "(none)" : e.generated,
              a.generated.empty() ? "(none)" : a.generated, "the generation expression differs",
              std::nullopt, table);
    }
    comment("column", object, "COLUMN " + t.sql_name + "." + e.sql_name, e.comment, a.comment,
            table);
  }

  void constraints(const std::string& table, const Table& e, const Table& a) {
    std::map<std::string, const Constraint*> expected, actual;
    for (const auto& c : e.constraints) expected[c.name] = &c;
    for (const auto& c : a.constraints) actual[c.name] = &c;
    const std::string alter = "ALTER TABLE " + e.sql_name;
    for (const auto& [name, c] : expected) {
      const std::string object = table + "." + name;
      auto found = actual.find(name);
      if (found == actual.end()) {
        missing(constraint_kind(c->type), object, full_constraint(*c),
                "the migrations create this constraint; the database lacks it",
                fmt::format("{} ADD CONSTRAINT {} {};", alter, c->sql_name, full_constraint(*c)),
                table);
        continue;
      }
      const Constraint& l = *found->second;
      if (normalize_definition(c->definition) != normalize_definition(l.definition)) {
        changed(constraint_kind(c->type), object, "definition", c->definition, l.definition,
                "the constraint was replaced by another with the same name", std::nullopt, table);
      }
      if (c->validated != l.validated) {
        changed(constraint_kind(c->type), object, "validated", c->validated ? "valid" : "NOT VALID",
                l.validated ? "valid" : "NOT VALID",
                c->validated ? "NOT VALID: rows that existed when it was added are not checked"
                             : "validated by hand",
                c->validated ? std::optional<std::string>(
                                   fmt::format("{} VALIDATE CONSTRAINT {};", alter, c->sql_name))
                             : std::nullopt,
                table);
      }
      if (c->deferrable != l.deferrable || c->deferred != l.deferred) {
        std::optional<std::string> sql;
        if (c->type == 'f')
          sql = fmt::format("{} ALTER CONSTRAINT {} {};", alter, c->sql_name, deferrability(*c));
        changed(constraint_kind(c->type), object, "deferrability", deferrability(*c),
                deferrability(l), "the constraint is checked at another time", sql, table);
      }
      comment(constraint_kind(c->type), object, "CONSTRAINT " + c->sql_name + " ON " + e.sql_name,
              c->comment, l.comment, table);
    }
    for (const auto& [name, c] : actual) {
      if (expected.count(name)) continue;
      extra(constraint_kind(c->type), table + "." + name, full_constraint(*c),
            c->validated ? "added in the database by hand (no migration creates it)"
                         : "added in the database by hand, NOT VALID: existing rows are not "
                           "checked",
            fmt::format("{} DROP CONSTRAINT {};", alter, c->sql_name), table);
    }
  }

  void indexes() {
    pair(
        m_expected.indexes, m_actual.indexes,
        [&](const std::string& name, const Index& e) {
          missing("index", name, e.definition,
                  "the migrations create this index; the database lacks it",
                  concurrently(e.definition) + ";", e.table);
        },
        [&](const std::string& name, const Index& a) {
          std::string why = "created in the database by hand (no migration creates it)";
          if (!a.valid) why += "; INVALID: a CREATE INDEX CONCURRENTLY failed or was cancelled";
          extra("index", name, a.definition, why,
                fmt::format("DROP INDEX CONCURRENTLY {};", a.sql_name), a.table);
        },
        [&](const std::string& name, const Index& e, const Index& a) {
          if (normalize_definition(e.definition) != normalize_definition(a.definition)) {
            const char* aspect = e.unique != a.unique         ? "unique"
                                 : e.predicate != a.predicate ? "predicate"
                                                              : "definition";
            changed("index", name, aspect, e.definition, a.definition,
                    e.unique != a.unique         ? "the index enforces uniqueness differently"
                    : e.predicate != a.predicate ? "the partial index covers other rows"
                                                 : "the index was recreated differently",
                    std::nullopt, e.table);
          } else if (e.valid != a.valid || e.ready != a.ready) {
            auto state = [](const Index& i) {
              return !i.ready  ? std::string("INVALID, not ready")
                     : i.valid ? std::string("valid")
                               : std::string("INVALID");
            };
            changed("index", name, "valid", state(e), state(a),
                    a.ready ? "a CREATE INDEX CONCURRENTLY or REINDEX CONCURRENTLY failed or was "
                              "cancelled: queries do not use the index, writes still maintain it"
                            : "a CREATE INDEX CONCURRENTLY was cancelled before the build: "
                              "queries do not use the index",
                    a.valid ? std::nullopt
                            : std::optional<std::string>(
                                  fmt::format("REINDEX INDEX CONCURRENTLY {};", e.sql_name)),
                    e.table);
          }
          comment("index", name, "INDEX " + e.sql_name, e.comment, a.comment, e.table);
        });
  }

  void views() {
    auto kind = [](const View& v) { return v.materialized ? "materialized view" : "view"; };
    pair(
        m_expected.views, m_actual.views,
        [&](const std::string& name, const View& e) {
          missing(kind(e), name, shown(e.definition),
                  "the migrations create this view; the database lacks it",
                  fmt::format("CREATE {} {} AS {};", e.materialized ? "MATERIALIZED VIEW" : "VIEW",
                              e.sql_name, without_semicolon(e.definition)));
        },
        [&](const std::string& name, const View& a) {
          extra(kind(a), name, shown(a.definition),
                "created in the database by hand (no migration creates it)",
                fmt::format("DROP {} {};", a.materialized ? "MATERIALIZED VIEW" : "VIEW",
                            a.sql_name));
        },
        [&](const std::string& name, const View& e, const View& a) {
          const auto ed = normalize_definition(e.definition);
          const auto ad = normalize_definition(a.definition);
          if (e.materialized != a.materialized) {
            changed("view", name, "kind", kind(e), kind(a),
                    "the view was recreated as another kind", std::nullopt);
          } else if (ed != ad) {
            std::optional<std::string> sql;
            if (!e.materialized) {
              sql = fmt::format("CREATE OR REPLACE VIEW {} AS {};", e.sql_name,
                                without_semicolon(e.definition));
            }
            changed(kind(e), name, "definition", shown(e.definition), shown(a.definition),
                    "the view's query was replaced by hand", sql);
          }
          comment(kind(e), name, (e.materialized ? "MATERIALIZED VIEW " : "VIEW ") + e.sql_name,
                  e.comment, a.comment);
        });
  }

  void functions() {
    auto replace = [](const Function& f) -> std::optional<std::string> {
      if (f.definition.empty()) return std::nullopt;
      return without_semicolon(f.definition) + ";";
    };
    pair(
        m_expected.functions, m_actual.functions,
        [&](const std::string& name, const Function& e) {
          missing(kind_of(e), name, e.result.empty() ? "" : "RETURNS " + e.result,
                  "the migrations create it; the database lacks it", replace(e));
        },
        [&](const std::string& name, const Function& a) {
          extra(kind_of(a), name, a.result.empty() ? "" : "RETURNS " + a.result,
                "created in the database by hand (no migration creates it)",
                fmt::format("DROP {} {};",
                            a.kind == 'p'   ? "PROCEDURE"
                            : a.kind == 'a' ? "AGGREGATE"
                                            : "FUNCTION",
                            a.sql_signature));
        },
        [&](const std::string& name, const Function& e, const Function& a) {
          if (e.kind != a.kind) {
            changed(kind_of(e), name, "kind", kind_of(e), kind_of(a),
                    "recreated as another kind of routine", std::nullopt);
          } else if (e.result != a.result) {
            changed(kind_of(e), name, "returns", e.result, a.result,
                    "the result type differs (CREATE OR REPLACE cannot change it)", std::nullopt);
          } else if (e.language != a.language) {
            changed(kind_of(e), name, "language", e.language, a.language,
                    "rewritten in another language", replace(e));
          } else if (normalize_definition(e.body) != normalize_definition(a.body)) {
            changed(kind_of(e), name, "body", one_line_body(e.body), one_line_body(a.body),
                    "the body was replaced by hand (CREATE OR REPLACE)", replace(e));
          } else if (e.attributes != a.attributes) {
            changed(kind_of(e), name, "attributes", e.attributes, a.attributes,
                    "volatility, strictness, security or settings differ", replace(e));
          }
          comment(kind_of(e), name,
                  (e.kind == 'p'   ? "PROCEDURE "
                   : e.kind == 'a' ? "AGGREGATE "
                                   : "FUNCTION ") +
                      e.sql_signature,
                  e.comment, a.comment);
        });
  }

  static std::string one_line_body(const std::string& body) { return shown(body); }

  void triggers() {
    auto enabled = [](char c) {
      switch (c) {
      case 'D': return "DISABLED";
      case 'R': return "ENABLE REPLICA";
      case 'A': return "ENABLE ALWAYS";
      }
      return "ENABLED";
    };
    pair(
        m_expected.triggers, m_actual.triggers,
        [&](const std::string& name, const Trigger& e) {
          missing("trigger", name, e.definition,
                  "the migrations create this trigger; the database lacks it", e.definition + ";",
                  e.table);
        },
        [&](const std::string& name, const Trigger& a) {
          extra("trigger", name, a.definition,
                "created in the database by hand (no migration creates it)",
                fmt::format("DROP TRIGGER {} ON {};", a.sql_name, a.table_sql), a.table);
        },
        [&](const std::string& name, const Trigger& e, const Trigger& a) {
          if (normalize_definition(e.definition) != normalize_definition(a.definition)) {
            std::optional<std::string> sql;
            if (e.definition.starts_with("CREATE TRIGGER "))
              sql = "CREATE OR REPLACE TRIGGER " + e.definition.substr(15) + ";";
            changed("trigger", name, "definition", e.definition, a.definition,
                    "the trigger was replaced by hand", sql, e.table);
          }
          if (e.enabled != a.enabled) {
            std::string how = e.enabled == 'D'   ? "DISABLE"
                              : e.enabled == 'R' ? "ENABLE REPLICA"
                              : e.enabled == 'A' ? "ENABLE ALWAYS"
                                                 : "ENABLE";
            changed("trigger", name, "enabled", enabled(e.enabled), enabled(a.enabled),
                    "ALTER TABLE … ENABLE/DISABLE TRIGGER ran in the database",
                    fmt::format("ALTER TABLE {} {} TRIGGER {};", e.table_sql, how, e.sql_name),
                    e.table);
          }
          comment("trigger", name, "TRIGGER " + e.sql_name + " ON " + e.table_sql, e.comment,
                  a.comment, e.table);
        });
  }

  const Catalog& m_expected;
  const Catalog& m_actual;
  const CompareOptions& m_options;
  std::vector<Difference> m_out;
};

} // namespace

std::vector<Difference> compare_catalogs(const Catalog& expected, const Catalog& actual,
                                         const CompareOptions& options) {
  return Comparer(expected, actual, options).run();
}

} // namespace preflight::drift
