#pragma once
// `migrate new NAME`: the next version and the file names, following the folder's convention
// (sequential zero-padded numbers, or UTC timestamps YYYYMMDDHHMMSS).

#include <string>
#include <vector>

namespace preflight::migrate {

struct NewMigration {
  std::string version;            // as written in the file name, e.g. "0004"
  std::vector<std::string> names; // file names: one simple file, or .up.sql and .down.sql
  std::string description;        // the sanitised NAME
};

/// `name` lower-cased, Latin letters with diacritics spelled in ASCII (é → e, ß → ss), every
/// run of other characters outside [a-z0-9] turned into one "_", trimmed of "_"; throws
/// Error(usage) when nothing is left.
std::string sanitize_migration_name(const std::string& name);

/// The files for a new migration among `existing_names` (a folder's file names). Sequential
/// when the newest version is below 10^10 (zero-padded to its width), else — and in an empty
/// folder — `utc_now` ("YYYYMMDDHHMMSS"), moved past the newest version if the clock is behind.
/// Throws Error(input) when the newest version is the largest possible, Error(usage) when the
/// file name would be longer than file systems allow (255 bytes).
NewMigration plan_new_migration(const std::vector<std::string>& existing_names,
                                const std::string& name, bool reversible,
                                const std::string& utc_now);

} // namespace preflight::migrate
