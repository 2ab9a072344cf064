#pragma once
// A command-line case written as a file: the files to create, the commands to run, and what the
// user must see. The format (documented in docs/development.md, "CLI cases") is a list of
// directives run in order; anything a command needs that git cannot hold (FIFOs, symbolic
// links, NUL bytes, control characters in names) is a directive or an \xHH escape.

#include <filesystem>
#include <string>
#include <vector>

#include "support/test_cluster.h"

namespace preflight::testing {

/// One directive of a case file: its word, its argument text and its heredoc body, if any.
struct CaseStep {
  std::string directive; // file, mkdir, fifo, symlink, sql, env, setup, run, exit, stdout, …
  std::string argument;  // the rest of the line (without a trailing <<TAG)
  std::string body;      // the heredoc lines, each ending in "\n"
  std::uint32_t line = 0;
};

/// Parses a case file; throws std::runtime_error naming the line of a malformed directive.
std::vector<CaseStep> parse_case_file(const std::filesystem::path& file);

/// `text` with every \xHH written as its byte, and \\xHH as the four characters \xHH.
std::string decode_bytes(const std::string& text);

/// Splits a `run`/`setup` argument line into arguments: whitespace separates, '…' and "…" group
/// (no escapes inside), then \xHH escapes are decoded in each argument.
std::vector<std::string> split_arguments(const std::string& line);

/// Where a case runs: its work folder (the command's working directory) and its database.
struct CaseContext {
  std::string dir;
  std::string conninfo;
  std::string dbname;
  /// `text` with {dir}, {db}, {dbname} and {project} (the checkout) replaced.
  std::string expand(const std::string& text) const;
};

/// The text a contains/lacks directive looks for: its argument, or its heredoc body without the
/// final newline (end the body with an empty line to look for a newline too); \xHH decoded.
std::string expected_fragment(const CaseStep& step, const CaseContext& context);

/// Creates what a file, fill, copy, mkdir, fifo or symlink directive describes, in
/// `context.dir`; false for any other directive.
bool create_entry(const CaseStep& step, const CaseContext& context);

/// Runs the preflight binary with `args` in `cwd` with extra `env` entries, killed after
/// `timeout_seconds` (a hang is a failure, not a stuck test run).
CommandResult run_preflight_bounded(const std::vector<std::string>& args, const std::string& cwd,
                                    const std::vector<std::string>& env,
                                    unsigned timeout_seconds = 60);

} // namespace preflight::testing
