// The ALTER TABLE and RENAME rules of the linter: constraints, column changes, partitions.

#include <fmt/format.h>

#include "core/lint/script_linter.h"

namespace preflight::lint::detail {

void ScriptLinter::alter_table_stmt(const json& n, std::vector<Lock>& locks) {
  if (n.value("objtype", "") != "OBJECT_TABLE") return;
  const std::string table = relation(n["relation"]);
  const bool old_table = existing(table);
  for (const auto& item : n.value("cmds", json::array())) {
    const json& cmd = item["AlterTableCmd"];
    const std::string subtype = cmd.value("subtype", "");
    const std::string column = cmd.value("name", "");
    const json def = cmd.value("def", json::object());
    LockMode mode = LockMode::access_exclusive;
    if (subtype == "AT_AddColumn") {
      const json& col = def["ColumnDef"];
      if (old_table) add_column(table, col, locks);
      m_model.set_column(table, col.value("colname", ""),
                         column_type(col.value("typeName", json::object())));
      if (!is_down()) up_effects.columns.insert(table + "." + col.value("colname", ""));
    } else if (subtype == "AT_AlterColumnType") {
      if (old_table) alter_column_type(table, column, def["ColumnDef"]);
      m_model.set_column(table, column,
                         column_type(def["ColumnDef"].value("typeName", json::object())));
    } else if (subtype == "AT_SetNotNull") {
      if (old_table && !m_model.has_validated_not_null_check(table, column)) {
        emit("set-not-null-without-check",
             fmt::format("SET NOT NULL on {}.{} scans the whole table under ACCESS EXCLUSIVE: "
                         "reads and writes are "
                         "blocked during the scan",
                         shown(table), column),
             fmt::format("first ADD CONSTRAINT … CHECK ({} IS NOT NULL) NOT VALID and VALIDATE it "
                         "in a later "
                         "migration; SET NOT NULL then skips the scan (PostgreSQL 12+)",
                         column));
      }
    } else if (subtype == "AT_AddConstraint") {
      add_constraint(table, def["Constraint"], locks);
      mode = def["Constraint"].value("contype", "") == "CONSTR_FOREIGN"
                 ? LockMode::share_row_exclusive
                 : LockMode::access_exclusive;
    } else if (subtype == "AT_ValidateConstraint") {
      m_model.validate_constraint(table, column);
      mode = LockMode::share_update_exclusive;
    } else if (subtype == "AT_DropConstraint") {
      m_model.drop_constraint(table, column);
      down_effects.constraints.insert(table + "." + column);
      forget_created("constraint", column, table);
    } else if (subtype == "AT_DropColumn") {
      if (old_table && !created_by_up(table) &&
          !(m_up && m_up->columns.count(table + "." + column))) {
        emit("drop-column",
             fmt::format("DROP COLUMN {}.{} breaks running code that still selects or writes {}",
                         shown(table), column, column),
             "deploy code that no longer uses the column first, then drop it in a later release");
      }
      m_model.drop_column(table, column);
    } else if (subtype == "AT_DetachPartition") {
      if (def["PartitionCmd"].value("concurrent", false)) {
        check_concurrently("DETACH PARTITION CONCURRENTLY");
        mode = LockMode::share_update_exclusive;
      } else if (old_table) {
        emit("detach-partition-not-concurrently",
             fmt::format("DETACH PARTITION takes an ACCESS EXCLUSIVE lock on {}: reads and writes "
                         "are blocked until "
                         "the transaction ends",
                         shown(table)),
             "use DETACH PARTITION … CONCURRENTLY (PostgreSQL 14+) in a migration that starts with "
             "-- no-transaction");
      }
    } else if (subtype == "AT_AttachPartition" || subtype == "AT_SetStatistics" ||
               subtype == "AT_SetOptions" || subtype == "AT_ResetOptions" ||
               subtype == "AT_ClusterOn" || subtype == "AT_DropCluster") {
      mode = LockMode::share_update_exclusive;
    } else if (subtype.rfind("AT_EnableTrig", 0) == 0 || subtype.rfind("AT_DisableTrig", 0) == 0) {
      mode = LockMode::share_row_exclusive;
    }
    if (old_table) locks.push_back({table, mode});
  }
}

void ScriptLinter::add_column(const std::string& table, const json& col, std::vector<Lock>& locks) {
  const std::string name = col.value("colname", "");
  const ColumnType type = column_type(col.value("typeName", json::object()));
  bool has_default = false;
  bool not_null = false;
  std::string rewrite; // why the new column rewrites the table
  if (is_serial_type(type.name)) rewrite = fmt::format("type {} (a nextval() default)", type.name);
  std::string index_kind; // "UNIQUE" or "PRIMARY KEY": an index built under ACCESS EXCLUSIVE
  std::optional<json> foreign_key;
  for (const auto& item : col.value("constraints", json::array())) {
    const json& c = item["Constraint"];
    const std::string contype = c.value("contype", "");
    if (contype == "CONSTR_UNIQUE") index_kind = "UNIQUE";
    if (contype == "CONSTR_PRIMARY") index_kind = "PRIMARY KEY";
    if (contype == "CONSTR_FOREIGN") foreign_key = c;
    if (contype == "CONSTR_DEFAULT") {
      // DEFAULT NULL is no default: existing rows get NULL, which NOT NULL rejects.
      has_default = !is_null_constant(c.value("raw_expr", json::object()));
      if (auto call = volatile_call(c.value("raw_expr", json::object())); !call.empty()) {
        rewrite = "volatile default " + call;
      }
    } else if (contype == "CONSTR_IDENTITY") {
      rewrite = "GENERATED … AS IDENTITY";
    } else if (contype == "CONSTR_GENERATED") {
      rewrite = "GENERATED ALWAYS AS … STORED";
    } else if (contype == "CONSTR_NOTNULL" || contype == "CONSTR_PRIMARY") {
      not_null = true;
    }
  }
  if (!rewrite.empty()) {
    emit("add-column-volatile-default",
         fmt::format("ADD COLUMN {} with {} rewrites {} under ACCESS EXCLUSIVE: reads and writes "
                     "are blocked for "
                     "the whole rewrite",
                     name, rewrite, shown(table)),
         "add the column without a default (or with a constant one), then backfill it in batches; "
         "constants and "
         "now() are fine");
  } else if (not_null && !has_default) {
    emit("add-column-required-without-default",
         fmt::format("ADD COLUMN {} NOT NULL without a default fails if {} has rows, and breaks "
                     "running code "
                     "whose INSERTs omit {}",
                     name, shown(table), name),
         "give it a constant DEFAULT (catalog-only since PostgreSQL 11), or add it nullable, "
         "backfill, and set "
         "NOT NULL through a validated CHECK");
  }
  if (!index_kind.empty()) {
    emit("add-unique-without-using-index",
         fmt::format("ADD COLUMN {} {} on {} builds its index under ACCESS EXCLUSIVE: reads and "
                     "writes are blocked for the whole build",
                     name, index_kind, table),
         fmt::format("add the column without {}, CREATE UNIQUE INDEX CONCURRENTLY in a "
                     "-- no-transaction migration, then ALTER TABLE {} ADD CONSTRAINT … {} USING "
                     "INDEX …",
                     index_kind, shown(table), index_kind));
  }
  if (foreign_key) {
    const std::string referenced = relation((*foreign_key)["pktable"]);
    if (existing(referenced)) locks.push_back({referenced, LockMode::share_row_exclusive});
    emit("add-foreign-key-without-not-valid",
         fmt::format("ADD COLUMN {} REFERENCES {} on {} checks every existing row while holding "
                     "ACCESS EXCLUSIVE on {} and SHARE ROW EXCLUSIVE on {}: reads and writes of "
                     "{}, and writes to {}, are blocked during the scan",
                     name, shown(referenced), shown(table), shown(table), shown(referenced),
                     shown(table), shown(referenced)),
         fmt::format("add the column without REFERENCES, then ALTER TABLE {} ADD CONSTRAINT … "
                     "FOREIGN KEY ({}) REFERENCES {} NOT VALID, and VALIDATE CONSTRAINT in a later "
                     "migration (SHARE UPDATE EXCLUSIVE: reads and writes continue)",
                     shown(table), name, shown(referenced)));
  }
}

void ScriptLinter::alter_column_type(const std::string& table, const std::string& column,
                                     const json& def) {
  const ColumnType to = column_type(def.value("typeName", json::object()));
  const ColumnType* from = m_model.column(table, column);
  const std::string hint =
      "add a new column, backfill it in batches, switch the code over, then drop the old column";
  if (def.contains("raw_default")) {
    emit(
        "alter-column-type-rewrite",
        fmt::format(
            "ALTER COLUMN {} TYPE {} … USING on {} rewrites the table and its indexes under ACCESS "
            "EXCLUSIVE: reads and writes are blocked for the whole rewrite",
            column, to.to_string(), shown(table)),
        hint);
  } else if (!from) {
    emit("alter-column-type-rewrite",
         fmt::format("ALTER COLUMN {} TYPE {} on {}: the column's current type is not known from "
                     "the migrations; "
                     "unless the change is binary-coercible (e.g. varchar → text) the table is "
                     "rewritten under "
                     "ACCESS EXCLUSIVE",
                     column, to.to_string(), shown(table)),
         hint);
  } else if (!binary_coercible(*from, to)) {
    emit("alter-column-type-rewrite",
         fmt::format(
             "ALTER COLUMN {} TYPE {} on {} rewrites the table and its indexes ({} → {} is not "
             "binary-coercible) under ACCESS EXCLUSIVE: reads and writes are blocked for the whole "
             "rewrite",
             column, to.to_string(), shown(table), from->to_string(), to.to_string()),
         hint);
  }
}

void ScriptLinter::add_constraint(const std::string& table, const json& c,
                                  std::vector<Lock>& locks) {
  const std::string contype = c.value("contype", "");
  const std::string name = c.value("conname", "");
  const bool old_table = existing(table);
  const bool validated = !c.value("skip_validation", false);
  const std::string label = name.empty() ? std::string{} : " " + name;
  if (contype == "CONSTR_FOREIGN") {
    const std::string referenced = relation(c["pktable"]);
    if (existing(referenced)) locks.push_back({referenced, LockMode::share_row_exclusive});
    if (old_table && validated) {
      emit("add-foreign-key-without-not-valid",
           fmt::format("ADD FOREIGN KEY{} on {} checks every existing row while holding SHARE ROW "
                       "EXCLUSIVE on {} "
                       "and {}: writes to both tables are blocked during the scan",
                       label, shown(table), shown(table), shown(referenced)),
           fmt::format("add it with NOT VALID, then VALIDATE CONSTRAINT{} in a later migration "
                       "(SHARE UPDATE "
                       "EXCLUSIVE: reads and writes continue)",
                       label));
    }
  } else if (contype == "CONSTR_CHECK") {
    if (auto column = not_null_check_column(c.value("raw_expr", json::object())); !column.empty()) {
      m_model.add_not_null_check(check_constraint_name(table, name, column),
                                 {table, column, validated});
    }
    if (old_table && validated) {
      emit("add-check-without-not-valid",
           fmt::format("ADD CHECK{} on {} checks every existing row under ACCESS EXCLUSIVE: reads "
                       "and writes are "
                       "blocked during the scan",
                       label, shown(table)),
           fmt::format("add it with NOT VALID, then VALIDATE CONSTRAINT{} in a later migration "
                       "(SHARE UPDATE "
                       "EXCLUSIVE: reads and writes continue)",
                       label));
    }
  } else if (contype == "CONSTR_EXCLUSION" && old_table) {
    emit("add-exclusion-constraint",
         fmt::format("ADD EXCLUDE{} on {} builds its index and checks every existing row under "
                     "ACCESS EXCLUSIVE: reads and writes are blocked for the whole build",
                     label, shown(table)),
         "there is no online way to add an exclusion constraint: add it when the table is "
         "created, or in a maintenance window");
  } else if ((contype == "CONSTR_UNIQUE" || contype == "CONSTR_PRIMARY") && old_table &&
             c.value("indexname", "").empty()) {
    const std::string kind = contype == "CONSTR_UNIQUE" ? "UNIQUE" : "PRIMARY KEY";
    emit("add-unique-without-using-index",
         fmt::format("ADD {}{} on {} builds its index under ACCESS EXCLUSIVE: reads and writes are "
                     "blocked for the "
                     "whole build",
                     kind, label, shown(table)),
         fmt::format("CREATE UNIQUE INDEX CONCURRENTLY in a -- no-transaction migration, then "
                     "ALTER TABLE {} ADD "
                     "CONSTRAINT … {} USING INDEX …",
                     shown(table), kind));
  }
  created("constraint", name, table);
}

void ScriptLinter::rename_stmt(const json& n, std::vector<Lock>& locks) {
  const std::string type = n.value("renameType", "");
  if (!n.contains("relation")) return;
  const std::string table = relation(n["relation"]);
  const std::string new_name = n.value("newname", "");
  const bool old_table = existing(table) && !created_by_up(table);
  if (type == "OBJECT_TABLE") {
    if (existing(table)) locks.push_back({table, LockMode::access_exclusive});
    if (old_table) {
      emit("rename-table",
           fmt::format("RENAME of table {} to {} breaks running code that still uses {}",
                       shown(table), new_name, shown(table)),
           "rename in steps: deploy code that works with both names (e.g. through a view named "
           "after the old "
           "table), then rename");
    }
    m_model.rename_table(table, new_name);
    if (m_new_tables.erase(table)) m_new_tables.insert(new_name);
  } else if (type == "OBJECT_COLUMN" && n.value("relationType", "") == "OBJECT_TABLE") {
    const std::string column = n.value("subname", "");
    if (existing(table)) locks.push_back({table, LockMode::access_exclusive});
    if (old_table) {
      emit("rename-column",
           fmt::format("RENAME COLUMN {}.{} to {} breaks running code that still uses {}",
                       shown(table), column, new_name, column),
           "add the new column, write both, backfill, switch reads over, then drop the old column");
    }
    m_model.rename_column(table, column, new_name);
  }
}

} // namespace preflight::lint::detail
