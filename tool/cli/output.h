#pragma once
// All user-facing printing of the CLI: errors, progress and results, in text or JSON.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/migrate/history.h"
#include "core/migrate/repeatable.h"
#include "io/migrate/migrator.h"

namespace preflight::cli {

/// "preflight: error: …" and "hint: …" on stderr, with every collected problem.
void print_error(const Error& error);
/// A warning line on stderr.
void print_warning(const std::string& message);
/// A line on stdout.
void print_line(const std::string& line);
/// Text on stdout exactly as given (a rendered document).
void print_text(const std::string& text);
/// Appends `text` to the file at `path`; a warning if it cannot.
void append_to_file(const std::string& path, const std::string& text);
/// Appends `markdown` to the file $GITHUB_STEP_SUMMARY names, when it is set; one that cannot be
/// written is a warning, never the failure of the command whose result it summarises.
void append_step_summary(const std::string& markdown);
/// Pretty JSON on stdout.
void print_json(const nlohmann::json& value);

/// One line per migration step as it completes (stdout), plus its error and notes (stderr).
void print_step(const migrate::StepReport& step);
/// The lines print_step() prints for `step` (for output that prefixes them).
std::vector<std::string> step_lines(const migrate::StepReport& step);
/// A human table of migration status.
void print_status_text(const std::vector<migrate::StatusEntry>& status,
                       const std::vector<migrate::RepeatableEntry>& repeatables,
                       const std::string& source, const std::string& target);
/// The steps of `migrate up|down` as JSON (stable field names, documented in docs/migrate.md).
nlohmann::json steps_json(const migrate::RunReport& report);
/// Status as JSON (stable field names, documented in docs/migrate.md).
nlohmann::json status_json(const std::vector<migrate::StatusEntry>& status,
                           const std::vector<migrate::RepeatableEntry>& repeatables);

/// A progress line on stderr. On a terminal, a transient line is redrawn in place by the next
/// one; elsewhere (CI logs) transient lines are dropped and the rest printed plainly.
void print_progress(const std::string& line, bool terminal, bool transient);

} // namespace preflight::cli
