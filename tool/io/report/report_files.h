#pragma once
// Reading results documents and writing reports to disk.

#include <string>

#include "core/bench/results.h"
#include "core/check/results.h"

namespace preflight::report {

/// Reads and validates a results document; throws Error(input) naming the file (and the JSON
/// path or parse position) when it is missing or malformed.
bench::Results read_results_file(const std::string& path);

/// Reads a `preflight check --format json` document; throws Error(input) naming the file.
check::CheckReport read_check_results_file(const std::string& path);

/// Writes `text` to `path` (creating parent folders, replacing the file through a temporary
/// file renamed over it, so no reader ever sees half of it); throws Error(input). A symlink is
/// followed (its target is replaced, the link kept); a device, FIFO or socket is written in
/// place, never replaced.
void write_text_file(const std::string& path, const std::string& text);

/// Writes `text` like write_text_file(); when `path` cannot be written, writes it to a temporary
/// file instead and throws the error with that file named, so that a measurement that took
/// minutes is never lost (the error alone when the temporary file fails too).
void write_text_file_or_keep(const std::string& path, const std::string& text);

/// Throws Error(input) naming `path` when write_text_file() could not write it (its folder
/// cannot be created, it is a folder, no permission); creates the folder, leaves an existing
/// file, link or device as it was, and never waits for a FIFO's reader.
void check_writable(const std::string& path);

/// True when `a` and `b` name the same file, compared by filesystem identity (links, `..`,
/// another spelling of the folder), also when the file does not exist yet.
bool same_file(const std::string& a, const std::string& b);

/// Appends `text` to `path` (creating it); throws Error(input).
void append_text_file(const std::string& path, const std::string& text);

struct ReportPaths {
  std::string markdown; // <dir>/report.md
  std::string html;     // <dir>/report.html
};

/// Writes report.md and report.html for `results` (and `checks`, if given) into `dir` (created
/// if needed) and returns their paths: the one call `preflight demo` needs.
ReportPaths write_reports(const bench::Results& results, const std::string& dir,
                          const check::CheckReport* checks = nullptr);

} // namespace preflight::report
