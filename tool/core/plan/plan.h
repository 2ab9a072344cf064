#pragma once
// The EXPLAIN (FORMAT JSON) plan model and the plan assertions that benchmark suites and
// post-deploy checks share (one implementation, not two).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace preflight::plan {

struct PlanNode {
  std::string node_type;  // "Index Scan", "Seq Scan", "Bitmap Heap Scan", …
  std::string relation;   // "Relation Name" (empty if none)
  std::string index_name; // "Index Name" (Index Scan, Index Only Scan, Bitmap Index Scan)
  std::string alias;
  bool parallel_aware = false;
  double total_cost = 0;
  double plan_rows = 0;
  bool has_actuals = false;   // EXPLAIN ANALYZE
  double actual_total_ms = 0; // per loop, as PostgreSQL reports it
  double actual_rows = 0;     // per loop
  double actual_loops = 0;
  std::int64_t shared_hit_blocks = 0; // cumulative for the subtree (EXPLAIN BUFFERS)
  std::int64_t shared_read_blocks = 0;
  std::vector<PlanNode> children;

  /// True for a node that reads `relation` through an index: Index Scan, Index Only Scan,
  /// or Bitmap Heap Scan (whose child Bitmap Index Scan names the index).
  bool is_index_access() const;
  /// True for a sequential scan (parallel or not).
  bool is_seq_scan() const { return node_type == "Seq Scan"; }
  /// "Index Scan using idx on focus_sessions", "Parallel Seq Scan on t", "Sort", …
  std::string label() const;
};

struct Plan {
  PlanNode root;
  bool analyzed = false;
  double planning_ms = 0;
  double execution_ms = 0;
  nlohmann::json settings = nlohmann::json::object(); // non-default planner settings

  /// Every node, depth first (root first).
  void walk(const std::function<void(const PlanNode&, int depth)>& visit) const;
  /// Relations read through an index anywhere in the tree (sorted, unique).
  std::vector<std::string> index_backed_relations() const;
  /// Index names used anywhere in the tree (sorted, unique).
  std::vector<std::string> indexes_used() const;
  /// Relations read by a sequential scan anywhere in the tree (sorted, unique).
  std::vector<std::string> seq_scanned_relations() const;
  /// Shared buffers touched (hit + read) by the whole plan (0 without BUFFERS).
  std::int64_t shared_buffers() const;
  /// Node types in depth-first order: a plan's shape, for comparing two plans.
  std::vector<std::string> shape() const;
};

/// Parses the output of EXPLAIN (FORMAT JSON) — an array with one object, or that object.
/// Throws Error(input) when it is not an EXPLAIN JSON document.
Plan parse_explain(const nlohmann::json& document);
/// Same, from text.
Plan parse_explain(std::string_view text);

/// What a suite or check expects of a plan.
struct PlanExpectation {
  std::optional<std::string> index_backed; // some index access reads this table
  std::optional<std::string> uses_index;   // this index appears in the plan
  std::vector<std::string> no_seq_scan;    // none of these tables is read sequentially
  std::optional<std::int64_t> max_shared_buffers;

  bool empty() const {
    return !index_backed && !uses_index && no_seq_scan.empty() && !max_shared_buffers;
  }
};

struct AssertionResult {
  std::string name; // "index_backed focus_sessions", "no_seq_scan focus_sessions", …
  bool passed = false;
  std::string expected; // human text of the limit
  std::string actual;   // human text of what the plan shows
};

/// Checks `plan` against every part of `expectation`, one result per part.
std::vector<AssertionResult> check_plan(const Plan& plan, const PlanExpectation& expectation);

} // namespace preflight::plan
