#pragma once
// A plain description of the command line, read from the CLI11 app that parses it, so that the
// man pages and the shell completions are generated from the same definitions as --help.

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace preflight::cli {

struct OptionModel {
  std::vector<std::string> long_names;  // "--format" (with the dashes)
  std::vector<std::string> short_names; // "-o"
  std::string positional_name;          // "paths" for a positional argument, else empty
  std::string value_name;               // "TEXT", "INT", …; empty for a flag
  std::vector<std::string> choices;     // the allowed values (CLI::IsMember), if any
  std::string description;
  bool required = false;
  bool repeatable = false; // a positional that takes several values
};

struct CommandModel {
  std::vector<std::string> path; // {"preflight", "migrate", "up"}
  std::string description;
  std::vector<OptionModel> options; // in definition order; positionals included
  std::vector<CommandModel> subcommands;

  /// The path joined with spaces: "preflight migrate up".
  std::string full_name() const;
};

/// The model of `app` and its visible subcommands (hidden ones, in no group, are left out).
CommandModel describe_command(const CLI::App& app, const std::string& program = "preflight");

} // namespace preflight::cli
