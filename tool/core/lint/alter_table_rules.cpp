// The ALTER TABLE and RENAME rules of the linter: constraints, column changes, partitions.

#include <fmt/format.h>

#include "core/lint/script_linter.h"

namespace preflight::lint::detail {

void ScriptLinter::alter_table_stmt(const json& n, std::vector<Lock>& locks) {
  if (n.value("objtype", "") != "OBJECT_TABLE") return;
  const std::string table = relation_key(n["relation"]);
  const bool old_table = existing(table);
  for (const auto& item : n.value("cmds", json::array())) {
    const json& cmd = item["AlterTableCmd"];
    const std::string subtype = cmd.value("subtype", "");
    const std::string column = cmd.value("name", "");
    const json def = cmd.value("def", json::object());
    LockMode mode = LockMode::access_exclusive;
    if (subtype == "AT_AddColumn") {
      const json& col = def["ColumnDef"];
      if (old_table) add_column(table, col);
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
                         table, column),
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
                         table, column, column),
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
                         table),
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

void ScriptLinter::add_column(const std::string& table, const json& col) {
  const std::string name = col.value("colname", "");
  const ColumnType type = column_type(col.value("typeName", json::object()));
  bool has_default = false;
  bool not_null = false;
  std::string rewrite; // why the new column rewrites the table
  if (is_serial_type(type.name)) rewrite = fmt::format("type {} (a nextval() default)", type.name);
  for (const auto& item : col.value("constraints", json::array())) {
    const json& c = item["Constraint"];
    const std::string contype = c.value("contype", "");
    if (contype == "CONSTR_DEFAULT") {
      has_default = true;
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
                     name, rewrite, table),
         "add the column without a default (or with a constant one), then backfill it in batches; "
         "constants and "
         "now() are fine");
  } else if (not_null && !has_default) {
    emit("add-column-required-without-default",
         fmt::format("ADD COLUMN {} NOT NULL without a default fails if {} has rows, and breaks "
                     "running code "
                     "whose INSERTs omit {}",
                     name, table, name),
         "give it a constant DEFAULT (catalog-only since PostgreSQL 11), or add it nullable, "
         "backfill, and set "
         "NOT NULL through a validated CHECK");
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
            column, to.to_string(), table),
        hint);
  } else if (!from) {
    emit("alter-column-type-rewrite",
         fmt::format("ALTER COLUMN {} TYPE {} on {}: the column's current type is not known from "
                     "the migrations; "
                     "unless the change is binary-coercible (e.g. varchar → text) the table is "
                     "rewritten under "
                     "ACCESS EXCLUSIVE",
                     column, to.to_string(), table),
         hint);
  } else if (!binary_coercible(*from, to)) {
    emit("alter-column-type-rewrite",
         fmt::format(
             "ALTER COLUMN {} TYPE {} on {} rewrites the table and its indexes ({} → {} is not "
             "binary-coercible) under ACCESS EXCLUSIVE: reads and writes are blocked for the whole "
             "rewrite",
             column, to.to_string(), table, from->to_string(), to.to_string()),
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
    const std::string referenced = relation_key(c["pktable"]);
    if (existing(referenced)) locks.push_back({referenced, LockMode::share_row_exclusive});
    if (old_table && validated) {
      emit("add-foreign-key-without-not-valid",
           fmt::format("ADD FOREIGN KEY{} on {} checks every existing row while holding SHARE ROW "
                       "EXCLUSIVE on {} "
                       "and {}: writes to both tables are blocked during the scan",
                       label, table, table, referenced),
           fmt::format("add it with NOT VALID, then VALIDATE CONSTRAINT{} in a later migration "
                       "(SHARE UPDATE "
                       "EXCLUSIVE: reads and writes continue)",
                       label));
    }
  } else if (contype == "CONSTR_CHECK") {
    if (auto column = not_null_check_column(c.value("raw_expr", json::object()));
        !column.empty() && !name.empty()) {
      m_model.add_not_null_check(name, {table, column, validated});
    }
    if (old_table && validated) {
      emit("add-check-without-not-valid",
           fmt::format("ADD CHECK{} on {} checks every existing row under ACCESS EXCLUSIVE: reads "
                       "and writes are "
                       "blocked during the scan",
                       label, table),
           fmt::format("add it with NOT VALID, then VALIDATE CONSTRAINT{} in a later migration "
                       "(SHARE UPDATE "
                       "EXCLUSIVE: reads and writes continue)",
                       label));
    }
  } else if ((contype == "CONSTR_UNIQUE" || contype == "CONSTR_PRIMARY") && old_table &&
             c.value("indexname", "").empty()) {
    const std::string kind = contype == "CONSTR_UNIQUE" ? "UNIQUE" : "PRIMARY KEY";
    emit("add-unique-without-using-index",
         fmt::format("ADD {}{} on {} builds its index under ACCESS EXCLUSIVE: reads and writes are "
                     "blocked for the "
                     "whole build",
                     kind, label, table),
         fmt::format("CREATE UNIQUE INDEX CONCURRENTLY in a -- no-transaction migration, then "
                     "ALTER TABLE {} ADD "
                     "CONSTRAINT … {} USING INDEX …",
                     table, kind));
  }
  created("constraint", name, table);
}

void ScriptLinter::rename_stmt(const json& n, std::vector<Lock>& locks) {
  const std::string type = n.value("renameType", "");
  if (!n.contains("relation")) return;
  const std::string table = relation_key(n["relation"]);
  const std::string new_name = n.value("newname", "");
  const bool old_table = existing(table) && !created_by_up(table);
  if (type == "OBJECT_TABLE") {
    if (existing(table)) locks.push_back({table, LockMode::access_exclusive});
    if (old_table) {
      emit("rename-table",
           fmt::format("RENAME of table {} to {} breaks running code that still uses {}", table,
                       new_name, table),
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
           fmt::format("RENAME COLUMN {}.{} to {} breaks running code that still uses {}", table,
                       column, new_name, column),
           "add the new column, write both, backfill, switch reads over, then drop the old column");
    }
    m_model.rename_column(table, column, new_name);
  }
}

} // namespace preflight::lint::detail
