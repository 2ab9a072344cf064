#include "support/cli_case.h"

#include <sys/stat.h>

#include <fstream>
#include <stdexcept>

#include "support/run_command.h"

namespace fs = std::filesystem;

namespace preflight::testing {

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

} // namespace

std::string decode_bytes(const std::string& text) {
  std::string out;
  auto escape_at = [&](std::size_t i) {
    return i + 3 < text.size() && text[i] == '\\' && text[i + 1] == 'x' &&
           hex_digit(text[i + 2]) >= 0 && hex_digit(text[i + 3]) >= 0;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && escape_at(i + 1)) {
      // \\xHH: the four characters \xHH themselves (as preflight prints escaped names).
      out += text.substr(i + 1, 4);
      i += 4;
    } else if (escape_at(i)) {
      out += static_cast<char>(hex_digit(text[i + 2]) * 16 + hex_digit(text[i + 3]));
      i += 3;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::vector<CaseStep> parse_case_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  std::vector<CaseStep> steps;
  std::string line;
  std::uint32_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    CaseStep step;
    step.line = number;
    const auto space = line.find(' ');
    step.directive = line.substr(0, space);
    step.argument = space == std::string::npos ? "" : line.substr(space + 1);
    // A heredoc: `DIRECTIVE [ARGUMENT] <<TAG`, then lines up to one that is exactly TAG.
    const auto heredoc = line.rfind("<<");
    if (heredoc != std::string::npos && line.find(' ', heredoc) == std::string::npos &&
        heredoc + 2 < line.size()) {
      const std::string tag = line.substr(heredoc + 2);
      step.argument = heredoc > space + 1 && space != std::string::npos
                          ? line.substr(space + 1, heredoc - space - 2)
                          : "";
      bool closed = false;
      while (std::getline(in, line)) {
        ++number;
        if (line == tag) {
          closed = true;
          break;
        }
        step.body += line + "\n";
      }
      if (!closed)
        throw std::runtime_error(file.string() + ":" + std::to_string(step.line) +
                                 ": heredoc without its closing " + tag);
    }
    steps.push_back(std::move(step));
  }
  return steps;
}

std::vector<std::string> split_arguments(const std::string& line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (char c : line) {
    if (quote) {
      if (c == quote) {
        quote = 0;
      } else {
        word += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t') {
      if (in_word) words.push_back(decode_bytes(word));
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(decode_bytes(word));
  return words;
}

std::string CaseContext::expand(const std::string& text) const {
  std::string out = text;
  replace_all(out, "{dir}", dir);
  replace_all(out, "{dbname}", dbname);
  replace_all(out, "{project}", PREFLIGHT_SOURCE_DIR);
  replace_all(out, "{db}", conninfo);
  return out;
}

std::string expected_fragment(const CaseStep& step, const CaseContext& context) {
  if (!step.argument.empty() || step.body.empty())
    return decode_bytes(context.expand(step.argument));
  std::string text = context.expand(step.body);
  text.pop_back();
  return decode_bytes(text);
}

bool create_entry(const CaseStep& step, const CaseContext& context) {
  const std::string path = context.dir + "/" + decode_bytes(step.argument);
  std::error_code ec;
  if (step.directive == "file") {
    fs::create_directories(fs::path(path).parent_path(), ec);
    std::ofstream out(path, std::ios::binary);
    out << decode_bytes(context.expand(step.body));
    return true;
  }
  if (step.directive == "fill") {
    // fill PATH BYTES LINE: LINE and a newline, repeated up to exactly BYTES bytes.
    const auto words = split_arguments(step.argument);
    if (words.size() < 3) throw std::runtime_error("fill needs PATH BYTES LINE");
    const std::string target = context.dir + "/" + words[0];
    fs::create_directories(fs::path(target).parent_path(), ec);
    const std::string line = step.argument.substr(step.argument.find(words[2])) + "\n";
    std::string text;
    const auto bytes = std::stoull(words[1]);
    text.reserve(bytes);
    while (text.size() < bytes) text += line;
    text.resize(bytes);
    std::ofstream out(target, std::ios::binary);
    out << text;
    return true;
  }
  if (step.directive == "copy") {
    // copy PATH SOURCE: SOURCE relative to tests/cases/.
    const auto words = split_arguments(step.argument);
    if (words.size() != 2) throw std::runtime_error("copy needs PATH SOURCE");
    const std::string target = context.dir + "/" + words[0];
    fs::create_directories(fs::path(target).parent_path(), ec);
    fs::copy_file(fs::path(PREFLIGHT_CASES_DIR) / words[1], target,
                  fs::copy_options::overwrite_existing);
    return true;
  }
  if (step.directive == "mkdir") {
    fs::create_directories(path, ec);
    return true;
  }
  if (step.directive == "fifo") {
    fs::create_directories(fs::path(path).parent_path(), ec);
    if (mkfifo(path.c_str(), 0644) != 0) throw std::runtime_error("mkfifo " + path);
    return true;
  }
  if (step.directive == "symlink") {
    // symlink PATH -> TARGET (the target as written: relative to the link's folder)
    const auto arrow = step.argument.find(" -> ");
    if (arrow == std::string::npos) throw std::runtime_error("symlink needs PATH -> TARGET");
    const std::string link = context.dir + "/" + decode_bytes(step.argument.substr(0, arrow));
    fs::create_directories(fs::path(link).parent_path(), ec);
    fs::create_symlink(context.expand(decode_bytes(step.argument.substr(arrow + 4))), link);
    return true;
  }
  return false;
}

CommandResult run_preflight_bounded(const std::vector<std::string>& args, const std::string& cwd,
                                    const std::vector<std::string>& env, unsigned timeout_seconds) {
  std::vector<std::string> words{PREFLIGHT_BINARY};
  words.insert(words.end(), args.begin(), args.end());
  return run_captured(words, cwd, env,
                      {"DATABASE_URL", "PGHOST", "PGDATABASE", "PGSERVICE", "PGHOSTADDR",
                       "GITHUB_STEP_SUMMARY", "GITHUB_ACTIONS"},
                      timeout_seconds);
}

} // namespace preflight::testing
