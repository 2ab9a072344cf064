// `preflight completion bash|zsh|fish` prints a shell completion script, and the hidden
// `preflight __man DIR` writes the man pages: both generated from the app that parses the
// command line, so they cannot drift from --help.

#include <CLI/CLI.hpp>

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "cli/app.h"
#include "cli/command_model.h"
#include "cli/completion_scripts.h"
#include "cli/man_pages.h"
#include "cli/output.h"
#include "core/error.h"

namespace preflight::cli {

namespace {

void write_man_pages(const CLI::App& app, const std::string& folder) {
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  const auto model = describe_command(app);
  for (const auto& page : render_man_pages(model, std::string("preflight ") + PREFLIGHT_VERSION)) {
    const auto path = std::filesystem::path(folder) / page.file_name;
    std::ofstream out(path, std::ios::binary);
    out << page.text;
    out.close();
    if (!out) {
      throw Error(ErrorKind::input, "cannot write the man page", {}, Location{path.string(), 0, 0});
    }
  }
}

} // namespace

void add_completion_command(CLI::App& app, int& exit_code) {
  auto shell = std::make_shared<std::string>();
  auto* completion =
      app.add_subcommand("completion", "print the shell completion script (bash, zsh or fish)");
  completion->add_option("shell", *shell, "bash, zsh or fish")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  completion->callback([&app, &exit_code, shell] {
    print_text(render_completion(describe_command(app), *shell));
    exit_code = 0;
  });

  auto folder = std::make_shared<std::string>();
  auto* man = app.add_subcommand("__man", "write the man pages into a folder");
  man->group(""); // hidden: the build runs it
  man->add_option("folder", *folder, "where to write preflight.1, preflight-migrate.1, …")
      ->required();
  man->callback([&app, &exit_code, folder] {
    write_man_pages(app, *folder);
    exit_code = 0;
  });
}

} // namespace preflight::cli
