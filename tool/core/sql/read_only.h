#pragma once
// Whether SQL only reads, decided on PostgreSQL's own parse tree: the one classifier behind
// `preflight check`'s read-only guard and `bench run`'s `writes = true` rule.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/sql/parsed_sql.h"

namespace preflight::sql {

/// Why something in `tree` (any parse tree or part of one) could change data or have effects
/// outside its transaction — a data-modifying statement anywhere (writable CTEs), SELECT … INTO,
/// row locks, a call of a function such as nextval() or pg_terminate_backend() — or nullopt.
std::optional<std::string> write_in_tree(const nlohmann::json& tree);

/// Why `statement` is not a read-only query (e.g. "UPDATE writes", "it contains DELETE (a
/// data-modifying statement)", "CreateTable is not a query"), or nullopt for a SELECT or VALUES
/// that only reads.
std::optional<std::string> not_read_only(const Statement& statement);

/// True for the node type of a data-modifying statement ("InsertStmt", "UpdateStmt", …).
bool is_data_modifying(const std::string& node_type);

/// A statement's kind as users read it: "UPDATE" for a write, else the node type without its
/// "Stmt" suffix ("CreateTable", "VariableShow").
std::string statement_kind(const std::string& node_type);

} // namespace preflight::sql
