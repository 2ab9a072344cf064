#include "cli/man_pages.h"

#include <fmt/format.h>

#include <cstdint>

namespace preflight::cli {

namespace {

// Text for roff: backslashes and hyphens escaped, non-ASCII characters as \[uXXXX] (groff reads
// its input as Latin-1 unless told otherwise), and no line starting with a control character.
std::string roff(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (c == '\\') {
        out += "\\e";
      } else if (c == '-') {
        out += "\\-";
      } else if ((c == '.' || c == '\'') && (out.empty() || out.back() == '\n')) {
        out += "\\&";
        out += static_cast<char>(c);
      } else {
        out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    const int length = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    std::uint32_t code = c & (length == 4 ? 0x07u : length == 3 ? 0x0Fu : 0x1Fu);
    for (int k = 1; k < length && i + static_cast<std::size_t>(k) < text.size(); ++k) {
      code =
          (code << 6) | (static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)]) & 0x3Fu);
    }
    out += fmt::format("\\[u{:04X}]", code);
    i += static_cast<std::size_t>(length);
  }
  return out;
}

std::string page_name(const CommandModel& command) {
  std::string name;
  for (const auto& part : command.path) name += (name.empty() ? "" : "-") + part;
  return name;
}

std::string upper(std::string text) {
  for (auto& c : text) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return text;
}

// "\fB\-\-format\fR \fITEXT\fR" for an option, "\fIPATHS\fR..." for a positional argument.
std::string option_label(const OptionModel& option) {
  if (!option.positional_name.empty()) {
    return "\\fI" + roff(upper(option.positional_name)) + "\\fR" + (option.repeatable ? "..." : "");
  }
  std::string label;
  for (const auto& name : option.short_names)
    label += (label.empty() ? "" : ", ") + ("\\fB" + roff(name) + "\\fR");
  for (const auto& name : option.long_names)
    label += (label.empty() ? "" : ", ") + ("\\fB" + roff(name) + "\\fR");
  if (!option.value_name.empty()) {
    label += " \\fI" + roff(option.choices.empty() ? option.value_name : [&] {
      std::string joined;
      for (const auto& choice : option.choices) joined += (joined.empty() ? "" : "|") + choice;
      return joined;
    }()) + "\\fR";
  }
  return label;
}

std::string synopsis(const CommandModel& command) {
  std::string line = ".B " + roff(command.full_name()) + "\n";
  bool has_options = false;
  std::string positionals;
  for (const auto& option : command.options) {
    if (option.positional_name.empty()) {
      has_options = true;
    } else {
      const std::string name =
          roff(upper(option.positional_name)) + (option.repeatable ? "..." : "");
      positionals += option.required ? " \\fI" + name + "\\fR" : " [\\fI" + name + "\\fR]";
    }
  }
  std::string rest = has_options ? "[\\fIOPTIONS\\fR]" : "";
  if (!command.subcommands.empty()) rest += " \\fICOMMAND\\fR";
  rest += positionals;
  if (!rest.empty()) line += rest + "\n";
  return line;
}

std::string options_section(const CommandModel& command) {
  std::string text;
  for (const auto& option : command.options) {
    text += ".TP\n" + option_label(option) + "\n" + roff(option.description) + "\n";
  }
  return text;
}

std::string command_list(const CommandModel& command) {
  std::string text;
  for (const auto& sub : command.subcommands) {
    text += ".TP\n.B " + roff(sub.path.back()) + "\n" + roff(sub.description) + "\n";
  }
  return text;
}

std::string header(const std::string& name, const std::string& version) {
  return fmt::format(".TH {} 1 \"\" \"{}\" \"preflight manual\"\n", roff(upper(name)),
                     roff(version));
}

const char* k_exit_status = R"(.SH EXIT STATUS
.TP
.B 0
success
.TP
.B 1
the work found a problem: a migration failed and was rolled back, a check or an expectation failed, a regression, an error-level lint finding, a pending migration with \-\-exit\-code, the migration lock was not obtained in time
.TP
.B 2
bad usage or bad input files; nothing was changed
.TP
.B 3
the history does not match the files: checksum mismatch, missing file, failed row
.TP
.B 4
cannot reach or authenticate to the database, or cannot set up the throwaway cluster
.TP
.B 70
internal error: a bug in preflight
.TP
.B 128 + N
ended by signal N (130: Ctrl\-C, 143: SIGTERM) after cancelling running statements
)";

ManPage program_page(const CommandModel& root, const std::string& version) {
  std::string text = header(root.full_name(), version);
  // --help's first line is "preflight: what it is"; NAME wants only the second half.
  std::string summary = root.description;
  if (summary.rfind(root.full_name() + ": ", 0) == 0) summary.erase(0, root.full_name().size() + 2);
  text += ".SH NAME\n" + roff(root.full_name()) + " \\- " + roff(summary) + "\n";
  text += ".SH SYNOPSIS\n" + synopsis(root);
  text += ".SH DESCRIPTION\nA versioned, sqlx\\-compatible PostgreSQL migrator with checksums, "
          "dry runs and lock traces; a migration linter; a paired before/after benchmark "
          "harness and its statistical CI gate; post\\-deploy checks; and reports for people "
          "and CI. The options below are accepted by every command, also after its name.\n";
  text += ".SH COMMANDS\n" + command_list(root);
  text += ".SH OPTIONS\n" + options_section(root);
  text += ".SH ENVIRONMENT\n.TP\n.B DATABASE_URL\nthe database when \\-\\-database\\-url is not "
          "given (also read from a .env file in the current folder), else libpq's PG* variables\n"
          ".TP\n.B PREFLIGHT_PG_BINDIR\nthe PostgreSQL binaries of the throwaway cluster\n"
          ".TP\n.B PREFLIGHT_CACHE_DIR\nwhere the throwaway cluster's initdb template is cached\n";
  text += k_exit_status;
  text += ".SH SEE ALSO\n";
  std::string see;
  for (const auto& sub : root.subcommands)
    see += (see.empty() ? "" : ",\n") + ("\\fB" + roff(page_name(sub)) + "\\fR(1)");
  text += see + "\n";
  return {root.full_name() + ".1", text};
}

ManPage command_page(const CommandModel& root, const CommandModel& command,
                     const std::string& version) {
  std::string text = header(page_name(command), version);
  text += ".SH NAME\n" + roff(page_name(command)) + " \\- " + roff(command.description) + "\n";
  text += ".SH SYNOPSIS\n" + synopsis(command);
  for (const auto& sub : command.subcommands) text += ".br\n" + synopsis(sub);
  text += ".SH DESCRIPTION\n" + roff(command.description) + ". The options of \\fB" +
          roff(root.full_name()) +
          "\\fR(1) (\\-\\-database\\-url, \\-\\-ephemeral, \\-\\-config, "
          "\\&...) are accepted too.\n";
  if (!command.subcommands.empty()) text += ".SH COMMANDS\n" + command_list(command);
  if (!command.options.empty()) text += ".SH OPTIONS\n" + options_section(command);
  for (const auto& sub : command.subcommands) {
    text += ".SS " + roff(sub.full_name()) + "\n" + roff(sub.description) + ".\n";
    if (!sub.subcommands.empty()) text += command_list(sub);
    text += options_section(sub);
  }
  text += k_exit_status;
  text += ".SH SEE ALSO\n\\fB" + roff(root.full_name()) + "\\fR(1)\n";
  return {page_name(command) + ".1", text};
}

} // namespace

std::vector<ManPage> render_man_pages(const CommandModel& root, const std::string& version) {
  std::vector<ManPage> pages{program_page(root, version)};
  for (const auto& command : root.subcommands)
    pages.push_back(command_page(root, command, version));
  return pages;
}

} // namespace preflight::cli
