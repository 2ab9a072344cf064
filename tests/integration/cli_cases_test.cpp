// CLI scenarios as data: every tests/cases/cli/**/*.test file is one test, named after its path,
// run against its own database and folder. The format (docs/development.md, "CLI cases"):
//
//   # comment                 outside blocks
//   file PATH                 the lines up to "----" are written to PATH (in the case's folder)
//   dir PATH                  an empty folder
//   sql                       the lines up to "----" run on the case's database
//   run ARG...                runs preflight in the case's folder ("double quotes" group words)
//   exit N                    the exit code of the last run
//   stdout | stderr           the lines up to "----" are the last run's whole output
//   stdout contains | stderr contains   ... appear in it (without the last newline)
//   stdout lacks | stderr lacks         ... do not appear in it
//   query SQL                 the lines up to "----" are the first column of the first row
//   read PATH                 the lines up to "----" are the whole file
//   exists PATH | missing PATH
//
// Everywhere, {dir} is the case's folder, {db} the database's libpq string, {dbname} its name,
// {project} the checkout (for the bundled example).

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/case_files.h"
#include "support/test_cluster.h"

using namespace preflight::testing;
namespace fs = std::filesystem;

namespace {

const fs::path k_root = fs::path(PREFLIGHT_CASES_DIR) / "cli";

std::vector<std::string> all_cases() {
  std::vector<std::string> names;
  for (const auto& entry : fs::recursive_directory_iterator(k_root)) {
    if (entry.is_regular_file() && entry.path().extension() == ".test") {
      names.push_back(fs::relative(entry.path(), k_root).replace_extension().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// Words of a `run` line: split at spaces, "double quotes" keep spaces (\" inside is a quote).
std::vector<std::string> words_of(const std::string& line) {
  std::vector<std::string> words;
  std::string word;
  bool quoted = false;
  bool any = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '\\' && i + 1 < line.size() && line[i + 1] == '"') {
      word += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
      any = true;
    } else if (c == ' ' && !quoted) {
      if (any || !word.empty()) words.push_back(word);
      word.clear();
      any = false;
    } else {
      word += c;
    }
  }
  if (any || !word.empty()) words.push_back(word);
  return words;
}

class CliCase : public ::testing::TestWithParam<std::string> {
protected:
  // Runs every command of the case file in order; a failed expectation names its line.
  void run_case(const fs::path& file) {
    std::ifstream in(file);
    ASSERT_TRUE(in) << file;
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const std::string& line = lines[i];
      if (line.empty() || line[0] == '#') continue;
      SCOPED_TRACE(fmt_location(file, i + 1));
      const auto space = line.find(' ');
      const std::string command = line.substr(0, space);
      const std::string raw = space == std::string::npos ? "" : line.substr(space + 1);
      const std::string rest = substitute(raw);
      auto block = [&] {
        std::string text;
        std::size_t j = i + 1;
        for (; j < lines.size() && lines[j] != "----"; ++j) text += substitute(lines[j]) + "\n";
        EXPECT_LT(j, lines.size()) << "a block without its closing ----";
        i = j;
        return text;
      };
      if (command == "file") {
        write_file(m_dir + "/" + rest, block());
      } else if (command == "dir") {
        fs::create_directories(m_dir + "/" + rest);
      } else if (command == "sql") {
        m_db.connect()->exec(block());
      } else if (command == "run") {
        // Split first: a substituted {db} is one word however many spaces it holds.
        auto words = words_of(raw);
        for (auto& word : words) word = substitute(word);
        m_last = run_preflight(words, m_dir);
        m_ran = true;
      } else if (command == "exit") {
        ASSERT_TRUE(m_ran) << "exit before run";
        EXPECT_EQ(m_last.exit_code, std::stoi(rest)) << m_last.out << m_last.err;
      } else if (command == "stdout" || command == "stderr") {
        ASSERT_TRUE(m_ran) << command << " before run";
        const std::string& actual = command == "stdout" ? m_last.out : m_last.err;
        std::string expected = block();
        if (rest.empty()) {
          EXPECT_EQ(actual, expected);
        } else {
          if (!expected.empty()) expected.pop_back(); // a fragment: no final newline
          if (rest == "contains") {
            EXPECT_NE(actual.find(expected), std::string::npos) << actual;
          } else if (rest == "lacks") {
            EXPECT_EQ(actual.find(expected), std::string::npos) << actual;
          } else {
            ADD_FAILURE() << "unknown: " << line;
          }
        }
      } else if (command == "query") {
        std::string expected = block();
        if (!expected.empty()) expected.pop_back();
        EXPECT_EQ(m_db.scalar(rest), expected);
      } else if (command == "read") {
        EXPECT_EQ(read_text(fs::path(m_dir) / rest), block());
      } else if (command == "exists") {
        EXPECT_TRUE(fs::exists(fs::path(m_dir) / rest)) << rest;
      } else if (command == "missing") {
        EXPECT_FALSE(fs::exists(fs::path(m_dir) / rest)) << rest;
      } else {
        ADD_FAILURE() << "unknown command: " << line;
      }
    }
    EXPECT_TRUE(m_ran) << "a case that runs nothing";
  }

private:
  static std::string fmt_location(const fs::path& file, std::size_t line) {
    std::ostringstream out;
    out << file.string() << ":" << line;
    return out.str();
  }

  std::string substitute(const std::string& text) const {
    auto out = replace_all(text, "{dir}", m_dir);
    out = replace_all(out, "{dbname}", m_db.name());
    out = replace_all(out, "{project}", PREFLIGHT_SOURCE_DIR);
    return replace_all(out, "{db}", m_db.conninfo());
  }

  TestDatabase m_db;
  std::string m_dir = make_temp_dir();
  CommandResult m_last;
  bool m_ran = false;
};

TEST_P(CliCase, RunsAsWritten) {
  run_case(k_root / (GetParam() + ".test"));
}

INSTANTIATE_TEST_SUITE_P(Cases, CliCase, ::testing::ValuesIn(all_cases()), CaseName());

} // namespace
