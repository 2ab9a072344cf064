#include "io/report/report_files.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "core/error.h"
#include "core/report/report.h"
#include "io/read_limited.h"

namespace fs = std::filesystem;

namespace preflight::report {

namespace {

// Reads a JSON document and converts it, locating every problem in `path`.
template <class Convert>
auto read_json_file(const std::string& path, const char* what, const char* hint, Convert convert) {
  const auto text = io::read_file_limited(path, io::ReadLimit{io::k_results_limit.max_bytes, what});
  if (!text)
    throw Error(ErrorKind::input, std::string(what) + " not found", hint, Location{path, 0, 0});
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(*text);
  } catch (const nlohmann::json::exception& e) { // parse_error, and out_of_range for 1e999
    throw Error(ErrorKind::input, std::string("not valid JSON: ") + e.what(), {},
                Location{path, 0, 0});
  }
  try {
    return convert(document);
  } catch (const Error& e) {
    throw e.at(Location{path, 0, 0});
  }
}

} // namespace

bench::Results read_results_file(const std::string& path) {
  return read_json_file(path, "results file",
                        "write one with `preflight bench run SUITE.toml --out FILE`",
                        [](const nlohmann::json& d) { return bench::results_from_json(d); });
}

check::CheckReport read_check_results_file(const std::string& path) {
  return read_json_file(path, "check results file",
                        "write one with `preflight check CHECKS.toml --format json > FILE`",
                        [](const nlohmann::json& d) { return check::from_json(d); });
}

namespace {

Error cannot_write(const std::string& path, const std::string& reason) {
  return Error(ErrorKind::input, "cannot write file" + (reason.empty() ? "" : ": " + reason), {},
               Location{path, 0, 0});
}

// The reason the folder could not be created, or "".
std::string make_parent(const std::string& path) {
  std::error_code ec;
  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  return ec ? ec.message() : std::string();
}

void write(const std::string& path, const std::string& text, std::ios::openmode mode) {
  const auto folder_problem = make_parent(path);
  std::ofstream out(path, std::ios::binary | mode);
  if (!out || !(out << text) || !out.flush()) {
    throw cannot_write(path, folder_problem.empty() ? std::strerror(errno) : folder_problem);
  }
}

// Where writing `path` lands: the file at the end of its symlinks (so the links stay links and
// their target gets the text), or `path` itself.
fs::path final_target(const std::string& path) {
  fs::path target(path);
  std::error_code ec;
  for (int hops = 0; hops < 40 && fs::is_symlink(target, ec); ++hops) { // 40: Linux's MAXSYMLINKS
    const fs::path next = fs::read_symlink(target, ec);
    if (ec) break;
    target = next.is_absolute() ? next : target.parent_path() / next;
  }
  return target;
}

// A device, FIFO or socket is written in place: renaming a file over it would replace the node
// (/dev/null would become a regular file) and a reader of the FIFO would get nothing.
bool is_special(const fs::path& target) {
  std::error_code ec;
  const auto status = fs::status(target, ec);
  return !ec && fs::exists(status) && !fs::is_regular_file(status) && !fs::is_directory(status);
}

} // namespace

void write_text_file(const std::string& path, const std::string& text) {
  const fs::path target = final_target(path);
  if (is_special(target)) {
    try {
      write(target.string(), text, std::ios::trunc);
    } catch (const Error& e) {
      throw e.at(Location{path, 0, 0});
    }
    return;
  }
  const std::string temporary = fmt::format("{}.{}.tmp", target.string(), getpid());
  try {
    write(temporary, text, std::ios::trunc);
  } catch (const Error& e) {
    std::error_code ignored;
    fs::remove(temporary, ignored);
    throw e.at(Location{path, 0, 0}); // users named `path`, not the temporary file
  }
  std::error_code ec;
  fs::rename(temporary, target, ec);
  if (ec) {
    fs::remove(temporary, ec);
    throw cannot_write(path, ec.message());
  }
}

// The results took minutes to measure: if `path` cannot be written after all (disk full, the
// folder removed mid-run), they go to a temporary file that the error names.
void write_text_file_or_keep(const std::string& path, const std::string& text) {
  try {
    write_text_file(path, text);
  } catch (const Error& error) {
    const std::string kept =
        (std::filesystem::temp_directory_path() /
         fmt::format("preflight-{}-{}", getpid(), std::filesystem::path(path).filename().string()))
            .string();
    try {
      write_text_file(kept, text);
    } catch (const Error&) {
      throw error;
    }
    throw Error(error.kind(), error.message() + "; the results were saved to " + kept,
                "copy them from there; nothing needs to be measured again", error.location());
  }
}

void check_writable(const std::string& path) {
  const fs::path target = final_target(path);
  if (is_special(target)) {
    // Opening a FIFO for writing would wait for a reader: ask for the permission instead.
    if (access(target.c_str(), W_OK) != 0) throw cannot_write(path, std::strerror(errno));
    return;
  }
  const auto folder_problem = make_parent(target.string());
  std::error_code ec;
  const bool existed = fs::exists(target, ec);
  {
    std::ofstream out(target, std::ios::binary | std::ios::app);
    if (!out)
      throw cannot_write(path, folder_problem.empty() ? std::strerror(errno) : folder_problem);
  }
  if (!existed) fs::remove(target, ec);
}

bool same_file(const std::string& a, const std::string& b) {
  const fs::path first = final_target(a), second = final_target(b);
  std::error_code ec;
  if (fs::exists(first, ec) && fs::exists(second, ec)) return fs::equivalent(first, second, ec);
  // Not written yet: the same absolute path once the existing folders' links are resolved.
  const auto resolved = [](const fs::path& p) {
    std::error_code ignored;
    return fs::weakly_canonical(fs::absolute(p, ignored), ignored);
  };
  return resolved(first) == resolved(second);
}

void append_text_file(const std::string& path, const std::string& text) {
  write(path, text, std::ios::app);
}

ReportPaths write_reports(const bench::Results& results, const std::string& dir,
                          const check::CheckReport* checks) {
  ReportPaths paths{(fs::path(dir) / "report.md").string(),
                    (fs::path(dir) / "report.html").string()};
  write_text_file(paths.markdown, render_markdown(results, checks));
  write_text_file(paths.html, render_html(results, checks));
  return paths;
}

} // namespace preflight::report
