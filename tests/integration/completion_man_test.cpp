// Shell completions and man pages, generated from preflight's own command line: they parse and
// render, and name every command and option the CLI11 app defines.

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>

#include "cli/app.h"
#include "support/run_command.h"
#include "support/test_cluster.h"

using namespace preflight::testing;
namespace fs = std::filesystem;

namespace {

struct CommandNames {
  std::string path; // "preflight migrate up"
  std::vector<std::string> subcommands;
  std::vector<std::string> long_options; // "--format"
};

// Every visible command of the real app, read from CLI11 itself (not through the generator).
void collect(const CLI::App& app, const std::string& path, std::vector<CommandNames>& out) {
  CommandNames names{path, {}, {}};
  for (const auto* option : app.get_options({})) {
    if (option->get_group().empty()) continue;
    for (const auto& name : option->get_lnames()) names.long_options.push_back("--" + name);
  }
  auto subs = app.get_subcommands([](const CLI::App* a) { return !a->get_group().empty(); });
  for (const auto* sub : subs) names.subcommands.push_back(sub->get_name());
  out.push_back(names);
  for (const auto* sub : subs) collect(*sub, path + " " + sub->get_name(), out);
}

std::vector<CommandNames> all_commands() {
  CLI::App app{preflight::cli::k_app_description};
  preflight::cli::GlobalOptions globals;
  int exit_code = 0;
  preflight::cli::define_app(app, globals, exit_code);
  std::vector<CommandNames> out;
  collect(app, "preflight", out);
  return out;
}

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = make_temp_dir() + "/" + name;
  write_file(path, text);
  return path;
}

// What bash offers for the words typed so far (the last one is being completed).
std::string bash_completes(const std::string& script, const std::string& words) {
  auto r = run_command({"bash", "-c",
                        "source \"$0\"; COMP_WORDS=(" + words +
                            "); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _preflight; "
                            "echo \"${COMPREPLY[*]}\"",
                        script});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

} // namespace

TEST(CompletionCli, ScriptsParseInTheirShellAndNameEveryCommandAndOption) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> shells{
      {"bash", {"bash", "-n"}}, {"zsh", {"zsh", "-n"}}, {"fish", {"fish", "--no-execute"}}};
  const auto commands = all_commands();
  ASSERT_GE(commands.size(), 15u); // preflight, its 7 commands, migrate's 7, bench's 2
  for (const auto& [shell, check] : shells) {
    SCOPED_TRACE(shell);
    auto r = run_preflight({"completion", shell});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    const auto script = write_temp("preflight." + shell, r.out);
    auto words = check;
    words.push_back(script);
    auto parsed = run_command(words);
    EXPECT_EQ(parsed.exit_code, 0) << parsed.err;
    EXPECT_EQ(parsed.err, "");
    for (const auto& command : commands) {
      for (const auto& sub : command.subcommands) {
        EXPECT_NE(r.out.find(shell == "fish" ? "-a '" + sub + "'" : " " + sub), std::string::npos)
            << command.path << " " << sub;
      }
      for (const auto& option : command.long_options) {
        EXPECT_NE(r.out.find(shell == "fish" ? "-l " + option.substr(2) : option),
                  std::string::npos)
            << command.path << " " << option;
      }
    }
    EXPECT_EQ(r.out.find("__man"), std::string::npos) << "a hidden command is offered";
  }
}

TEST(CompletionCli, BashOffersSubcommandsOptionsAndAllowedValues) {
  auto r = run_preflight({"completion", "bash"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto script = write_temp("preflight.bash", r.out);
  EXPECT_EQ(bash_completes(script, "preflight mig"), "migrate\n");
  EXPECT_EQ(bash_completes(script, "preflight migrate st"), "status\n");
  EXPECT_EQ(bash_completes(script, "preflight bench run --side"), "--side-by-side\n");
  EXPECT_EQ(bash_completes(script, "preflight lint --format ''"), "text json github sarif\n");
  EXPECT_EQ(bash_completes(script, "preflight migrate status --format js"), "json\n");
  // Options of the program are accepted after a command too.
  EXPECT_EQ(bash_completes(script, "preflight check --database-u"), "--database-url\n");
}

TEST(CompletionCli, AnUnknownShellIsBadUsage) {
  auto r = run_preflight({"completion", "tcsh"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("preflight: error: shell: tcsh not in {bash,zsh,fish}"), std::string::npos)
      << r.err;
}

TEST(ManPages, OnePagePerCommandRenderingWithoutWarningsAndNamingEveryOption) {
  const auto dir = make_temp_dir() + "/man1";
  auto r = run_preflight({"__man", dir});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    files.push_back(entry.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  EXPECT_EQ(files, (std::vector<std::string>{"preflight-bench.1", "preflight-check.1",
                                             "preflight-completion.1", "preflight-demo.1",
                                             "preflight-lint.1", "preflight-migrate.1",
                                             "preflight-report.1", "preflight.1"}));
  const auto commands = all_commands();
  for (const auto& file : files) {
    SCOPED_TRACE(file);
    const std::string path = dir + "/" + file;
    auto groff = run_command({"groff", "-man", "-Tutf8", "-ww", "-z", path});
    EXPECT_EQ(groff.exit_code, 0);
    EXPECT_EQ(groff.err, "");
    auto man = run_command({"man", "-l", path}, {}, {"MANWIDTH=100", "MAN_KEEP_FORMATTING=0"});
    ASSERT_EQ(man.exit_code, 0) << man.err;
    // man may keep groff's overstrike bold ("-\b-") when its output is not a terminal.
    std::string plain;
    for (char c : man.out) {
      if (c == '\b') {
        if (!plain.empty()) plain.pop_back();
      } else {
        plain += c;
      }
    }
    man.out = plain;
    // The page of `preflight migrate` documents migrate and all its subcommands.
    const std::string name = file.substr(0, file.size() - 2);
    for (const auto& command : commands) {
      std::string page = command.path;
      std::replace(page.begin(), page.end(), ' ', '-');
      if (page != name && page.rfind(name + "-", 0) != 0) continue;
      if (name == "preflight" && page != name) continue;
      for (const auto& option : command.long_options) {
        EXPECT_NE(man.out.find(option), std::string::npos) << command.path << " " << option;
      }
    }
  }
}
