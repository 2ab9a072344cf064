#include "core/plan/plan.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "core/error.h"
#include "core/json_integer.h"

namespace preflight::plan {

bool PlanNode::is_index_access() const {
  return !relation.empty() && (node_type == "Index Scan" || node_type == "Index Only Scan" ||
                               node_type == "Bitmap Heap Scan");
}

std::string PlanNode::label() const {
  std::string text = (parallel_aware ? "Parallel " : "") + node_type;
  if (!index_name.empty()) text += " using " + index_name;
  if (!relation.empty()) text += " on " + relation;
  return text;
}

namespace {

Error not_explain(const std::string& why) {
  return Error(ErrorKind::input, "not an EXPLAIN (FORMAT JSON) document: " + why);
}

PlanNode parse_node(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("Node Type"))
    throw not_explain("a plan node has no \"Node Type\"");
  PlanNode node;
  node.node_type = j.at("Node Type").get<std::string>();
  node.relation = j.value("Relation Name", "");
  node.index_name = j.value("Index Name", "");
  node.alias = j.value("Alias", "");
  node.parallel_aware = j.value("Parallel Aware", false);
  node.total_cost = j.value("Total Cost", 0.0);
  node.plan_rows = j.value("Plan Rows", 0.0);
  if (j.contains("Actual Loops")) {
    node.has_actuals = true;
    node.actual_total_ms = j.value("Actual Total Time", 0.0);
    node.actual_rows = j.value("Actual Rows", 0.0);
    node.actual_loops = j.value("Actual Loops", 0.0);
  }
  for (auto [key, field] : {std::pair{"Shared Hit Blocks", &node.shared_hit_blocks},
                            std::pair{"Shared Read Blocks", &node.shared_read_blocks}}) {
    *field = j.contains(key) ? json_integer<std::int64_t>(j.at(key)) : 0;
  }
  if (j.contains("Plans")) {
    for (const auto& child : j.at("Plans")) node.children.push_back(parse_node(child));
  }
  return node;
}

void walk_node(const PlanNode& node, int depth,
               const std::function<void(const PlanNode&, int)>& visit) {
  visit(node, depth);
  for (const auto& child : node.children) walk_node(child, depth + 1, visit);
}

std::vector<std::string> collect(const Plan& plan,
                                 const std::function<std::string(const PlanNode&)>& pick) {
  std::set<std::string> found;
  plan.walk([&](const PlanNode& node, int) {
    auto value = pick(node);
    if (!value.empty()) found.insert(value);
  });
  return {found.begin(), found.end()};
}

std::string join(const std::vector<std::string>& items) {
  if (items.empty()) return "none";
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

} // namespace

void Plan::walk(const std::function<void(const PlanNode&, int depth)>& visit) const {
  walk_node(root, 0, visit);
}

std::vector<std::string> Plan::index_backed_relations() const {
  return collect(
      *this, [](const PlanNode& n) { return n.is_index_access() ? n.relation : std::string(); });
}

std::vector<std::string> Plan::indexes_used() const {
  return collect(*this, [](const PlanNode& n) { return n.index_name; });
}

std::vector<std::string> Plan::seq_scanned_relations() const {
  return collect(*this,
                 [](const PlanNode& n) { return n.is_seq_scan() ? n.relation : std::string(); });
}

std::int64_t Plan::shared_buffers() const {
  return root.shared_hit_blocks + root.shared_read_blocks;
}

std::vector<std::string> Plan::shape() const {
  std::vector<std::string> out;
  walk([&](const PlanNode& n, int) { out.push_back(n.label()); });
  return out;
}

Plan parse_explain(const nlohmann::json& document) {
  const nlohmann::json* top = &document;
  if (document.is_array()) {
    if (document.size() != 1) throw not_explain("expected an array with one object");
    top = &document[0];
  }
  if (!top->is_object() || !top->contains("Plan")) throw not_explain("no \"Plan\" key");
  // Stored plans come from results files, which users can edit: a field of the wrong type is
  // bad input, not a bug.
  try {
    Plan plan;
    plan.root = parse_node(top->at("Plan"));
    plan.analyzed = top->contains("Execution Time");
    plan.planning_ms = top->value("Planning Time", 0.0);
    plan.execution_ms = top->value("Execution Time", 0.0);
    if (top->contains("Settings")) plan.settings = top->at("Settings");
    return plan;
  } catch (const nlohmann::json::exception& e) {
    throw not_explain(e.what());
  }
}

Plan parse_explain(std::string_view text) {
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) { // parse_error, and out_of_range for 1e999
    throw not_explain(e.what());
  }
  return parse_explain(document);
}

std::vector<AssertionResult> check_plan(const Plan& plan, const PlanExpectation& expectation) {
  std::vector<AssertionResult> results;
  if (expectation.index_backed) {
    auto relations = plan.index_backed_relations();
    bool ok =
        std::find(relations.begin(), relations.end(), *expectation.index_backed) != relations.end();
    results.push_back({"index_backed " + *expectation.index_backed, ok,
                       "an index scan reads " + *expectation.index_backed,
                       "index-backed: " + join(relations) + "; plan: " + plan.root.label()});
  }
  if (expectation.uses_index) {
    auto indexes = plan.indexes_used();
    bool ok = std::find(indexes.begin(), indexes.end(), *expectation.uses_index) != indexes.end();
    results.push_back({"uses_index " + *expectation.uses_index, ok,
                       "plan uses " + *expectation.uses_index, "indexes used: " + join(indexes)});
  }
  for (const auto& table : expectation.no_seq_scan) {
    auto scanned = plan.seq_scanned_relations();
    bool ok = std::find(scanned.begin(), scanned.end(), table) == scanned.end();
    results.push_back(
        {"no_seq_scan " + table, ok, "no Seq Scan on " + table, "Seq Scan on: " + join(scanned)});
  }
  if (expectation.max_shared_buffers) {
    auto buffers = plan.shared_buffers();
    results.push_back({"max_shared_buffers", buffers <= *expectation.max_shared_buffers,
                       fmt::format("<= {} shared buffers", *expectation.max_shared_buffers),
                       fmt::format("{} shared buffers", buffers)});
  }
  return results;
}

} // namespace preflight::plan
