#pragma once
// Man pages (roff, man(7) macros) generated from the command-line model: preflight(1) and one
// page per command, preflight-migrate(1), preflight-bench(1), …

#include <string>
#include <vector>

#include "cli/command_model.h"

namespace preflight::cli {

struct ManPage {
  std::string file_name; // "preflight-migrate.1"
  std::string text;      // roff source
};

/// The pages of `root` (the whole program) for `version`, e.g. "preflight 0.1.0".
std::vector<ManPage> render_man_pages(const CommandModel& root, const std::string& version);

} // namespace preflight::cli
