#include "cli/command_model.h"

#include <CLI/CLI.hpp>

namespace preflight::cli {

namespace {

// CLI11 reports a type as "TEXT" or, with an IsMember check, "TEXT:{text,json}".
void read_type(const CLI::Option& option, OptionModel& model) {
  const std::string type = option.get_type_name();
  model.value_name = type.substr(0, type.find(':'));
  const auto open = type.find(":{");
  const auto close = type.rfind('}');
  if (open == std::string::npos || close == std::string::npos || close < open) return;
  std::string item;
  for (std::size_t i = open + 2; i <= close; ++i) {
    if (i == close || type[i] == ',') {
      if (!item.empty()) model.choices.push_back(item);
      item.clear();
    } else {
      item += type[i];
    }
  }
}

OptionModel describe_option(const CLI::Option& option) {
  OptionModel model;
  for (const auto& name : option.get_lnames()) model.long_names.push_back("--" + name);
  for (const auto& name : option.get_snames()) model.short_names.push_back("-" + name);
  if (!option.nonpositional()) model.positional_name = option.get_name(true);
  if (option.get_type_size_max() > 0) read_type(option, model);
  model.description = option.get_description();
  model.required = option.get_required();
  model.repeatable = !option.nonpositional() && option.get_expected_max() > 1;
  return model;
}

} // namespace

std::string CommandModel::full_name() const {
  std::string name;
  for (const auto& part : path) name += (name.empty() ? "" : " ") + part;
  return name;
}

namespace {

CommandModel describe(const CLI::App& app, std::vector<std::string> path) {
  CommandModel model;
  model.path = std::move(path);
  model.description = app.get_description();
  for (const auto* option : app.get_options([](const CLI::Option* o) {
         return !o->get_group().empty(); // hidden options have no group
       })) {
    model.options.push_back(describe_option(*option));
  }
  for (const auto* sub :
       app.get_subcommands([](const CLI::App* a) { return !a->get_group().empty(); })) {
    auto child_path = model.path;
    child_path.push_back(sub->get_name());
    model.subcommands.push_back(describe(*sub, std::move(child_path)));
  }
  return model;
}

} // namespace

CommandModel describe_command(const CLI::App& app, const std::string& program) {
  return describe(app, {program});
}

} // namespace preflight::cli
