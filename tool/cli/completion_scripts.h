#pragma once
// Shell completion scripts for bash, zsh and fish, generated from the command-line model.

#include <string>

#include "cli/command_model.h"

namespace preflight::cli {

/// The completion script of `root` for `shell` ("bash", "zsh" or "fish").
std::string render_completion(const CommandModel& root, const std::string& shell);

} // namespace preflight::cli
