#include "cli/output.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "core/text/text.h"
#include "io/report/report_files.h"

namespace preflight::cli {

namespace {
void print_one(const Error& error, bool headline) {
  std::string text = error.headline();
  if (headline) {
    std::cerr << "preflight: error: " << text << "\n";
  } else {
    std::cerr << "  " << text << "\n";
  }
  if (!error.hint().empty())
    std::cerr << (headline ? "hint: " : "    hint: ") << error.hint() << "\n";
}
} // namespace

void print_error(const Error& error) {
  print_one(error, true);
  if (!error.more().empty()) {
    std::cerr << fmt::format("preflight: {} more problem{}:\n", error.more().size(),
                             error.more().size() == 1 ? "" : "s");
    for (const auto& e : error.more()) print_one(e, false);
  }
  std::cerr.flush();
}

void print_warning(const std::string& message) {
  std::cerr << "preflight: warning: " << message << "\n";
}

void print_progress(const std::string& line, bool terminal, bool transient) {
  if (!terminal) {
    if (!transient) std::cerr << line << "\n" << std::flush;
    return;
  }
  // "\r" plus erase-to-end-of-line redraws one status line; a newline keeps a finished one.
  std::cerr << "\r\033[K" << line << (transient ? "" : "\n") << std::flush;
}

void print_line(const std::string& line) {
  std::cout << line << "\n" << std::flush;
}

void print_text(const std::string& text) {
  std::cout << text << std::flush;
}

void append_to_file(const std::string& path, const std::string& text) {
  try {
    report::append_text_file(path, text);
  } catch (const Error&) {
    print_warning("cannot append to " + path);
  }
}

void append_step_summary(const std::string& markdown) {
  const char* summary = std::getenv("GITHUB_STEP_SUMMARY");
  if (summary == nullptr || *summary == '\0') return;
  append_to_file(summary, markdown);
}

void print_json(const nlohmann::json& value) {
  std::cout << value.dump(2) << "\n" << std::flush;
}

void print_step(const migrate::StepReport& step) {
  for (const auto& line : step_lines(step)) print_line(line);
}

std::vector<std::string> step_lines(const migrate::StepReport& step) {
  const char* verb = step.direction == migrate::Direction::up ? "apply" : "revert";
  std::string outcome;
  switch (step.outcome) {
  case migrate::StepOutcome::applied: outcome = "applied"; break;
  case migrate::StepOutcome::reverted: outcome = "reverted"; break;
  case migrate::StepOutcome::dry_run_ok: outcome = "ok (dry run, rolled back)"; break;
  case migrate::StepOutcome::dry_run_copy_ok: outcome = "ok (dry run, on the copy)"; break;
  case migrate::StepOutcome::not_executed: outcome = "not executed (dry run)"; break;
  case migrate::StepOutcome::failed:
    if (step.interrupted) {
      outcome = step.rolled_back     ? "INTERRUPTED (connection lost), rolled back"
                : step.transactional ? "INTERRUPTED (connection lost), outcome unknown"
                                     : "INTERRUPTED (connection lost), not rolled back (no "
                                       "transaction)";
    } else {
      outcome =
          step.rolled_back ? "FAILED, rolled back" : "FAILED, not rolled back (no transaction)";
    }
    break;
  }
  std::vector<std::string> lines{fmt::format("{} {:>5} {:<40} {} in {}", verb, step.shown_version(),
                                             step.description, outcome,
                                             text::format_duration_ns(step.duration_ns))};
  for (const auto& note : step.notes) lines.push_back("      note: " + note);
  return lines;
}

void print_status_text(const std::vector<migrate::StatusEntry>& status,
                       const std::vector<migrate::RepeatableEntry>& repeatables,
                       const std::string& source, const std::string& target) {
  // One write for the whole table: status of 10,000 migrations must not cost 10,000 flushes.
  std::string text = fmt::format("Migrations in {} against {}:\n", source, target);
  if (status.empty() && repeatables.empty()) {
    text += "  (no migrations)\n";
  } else {
    text += fmt::format("  {:>14}  {:<20}  {:<20}  {:>10}  {}\n", "version", "state",
                        "installed on", "duration", "description");
  }
  for (const auto& e : status) {
    std::string installed = e.applied ? e.applied->installed_on : "";
    std::string duration;
    if (e.applied) {
      duration = e.applied->duration_recorded
                     ? text::format_duration_ns(e.applied->execution_time_ns)
                     : "-"; // the tool keeps no execution time
    }
    text += fmt::format("  {:>14}  {:<20}  {:<20}  {:>10}  {}\n", e.shown_version(),
                        migrate::to_string(e.state), installed, duration, e.description);
    if (e.state == migrate::MigrationState::checksum_mismatch) {
      text += fmt::format("  {:>14}  recorded {}\n", "", migrate::to_hex(e.applied->checksum));
      text += fmt::format("  {:>14}  file     {}\n", "", migrate::to_hex(e.migration->checksum));
    }
  }
  // Flyway's repeatable migrations, after the versioned ones as Flyway runs them.
  for (const auto& e : repeatables) {
    std::string installed = e.run ? e.run->installed_on : "";
    std::string duration = e.run ? text::format_duration_ns(e.run->execution_time_ns) : "";
    text += fmt::format("  {:>14}  {:<20}  {:<20}  {:>10}  {}\n", "R", migrate::to_string(e.state),
                        installed, duration, e.description);
  }
  std::cout << text << std::flush;
}

nlohmann::json steps_json(const migrate::RunReport& report) {
  auto steps = nlohmann::json::array();
  for (const auto& s : report.steps) {
    nlohmann::json j{{"version", s.version},
                     {"description", s.description},
                     {"direction", s.direction == migrate::Direction::up ? "up" : "down"},
                     {"outcome", migrate::to_string(s.outcome)},
                     {"duration_ns", s.duration_ns},
                     {"notes", s.notes}};
    if (!s.version_text.empty()) j["version_text"] = s.version_text;
    if (s.repeatable) j["repeatable"] = true;
    if (s.error) j["error"] = s.error->headline();
    steps.push_back(std::move(j));
  }
  return steps;
}

nlohmann::json status_json(const std::vector<migrate::StatusEntry>& status,
                           const std::vector<migrate::RepeatableEntry>& repeatables) {
  auto entries = nlohmann::json::array();
  for (const auto& e : status) {
    nlohmann::json j{{"version", e.version},
                     {"description", e.description},
                     {"state", migrate::to_string(e.state)}};
    if (!e.version_text.empty()) j["version_text"] = e.version_text;
    if (e.migration) {
      j["file"] = e.migration->up.path;
      j["checksum"] = migrate::to_hex(e.migration->checksum);
      j["reversible"] = e.migration->down.has_value();
    }
    if (e.applied) {
      j["installed_on"] = e.applied->installed_on;
      j["execution_time_ns"] = e.applied->duration_recorded
                                   ? nlohmann::json(e.applied->execution_time_ns)
                                   : nlohmann::json(nullptr);
      j["recorded_checksum"] = migrate::to_hex(e.applied->checksum);
      j["success"] = e.applied->success;
    }
    entries.push_back(std::move(j));
  }
  nlohmann::json document{{"migrations", entries}};
  if (repeatables.empty()) return document;
  auto repeatable = nlohmann::json::array();
  for (const auto& e : repeatables) {
    nlohmann::json j{{"description", e.description}, {"state", migrate::to_string(e.state)}};
    if (e.migration) {
      j["file"] = e.migration->up.path;
      j["checksum"] = e.migration->up.native_checksum.value_or(0);
    }
    if (e.run) {
      j["installed_on"] = e.run->installed_on;
      j["execution_time_ns"] = e.run->execution_time_ns;
      j["recorded_checksum"] =
          e.run->checksum ? nlohmann::json(*e.run->checksum) : nlohmann::json(nullptr);
      j["success"] = e.run->success;
    }
    repeatable.push_back(std::move(j));
  }
  document["repeatables"] = std::move(repeatable);
  return document;
}

} // namespace preflight::cli
