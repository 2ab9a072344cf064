#pragma once
// `migrate new NAME`: the next version, the file names and their first text, following the
// folder's convention (sequential zero-padded numbers, or UTC timestamps YYYYMMDDHHMMSS) and its
// layout's naming (what each tool's own "create" command writes).

#include <string>
#include <vector>

#include "core/migrate/layouts/layout.h"

namespace preflight::migrate {

struct NewMigration {
  std::string version;            // as written in the file name, e.g. "0004"
  std::vector<std::string> names; // file names (diesel's: FOLDER/up.sql), relative to the folder
  std::vector<std::string> texts; // what each file starts with, in the order of `names`
  std::string description;        // the sanitised NAME
};

/// `name` lower-cased, Latin letters with diacritics spelled in ASCII (é → e, ß → ss), every
/// run of other characters outside [a-z0-9] turned into one "_", trimmed of "_"; throws
/// Error(usage) when nothing is left.
std::string sanitize_migration_name(const std::string& name);

/// The files for a new migration among `existing_names` (a folder's file names) in `layout`.
/// Sequential when the newest version is below 10^10 (zero-padded to its width), else — and in
/// an empty folder — `utc_now` ("YYYYMMDDHHMMSS"), moved past the newest version if the clock is
/// behind; dbmate and diesel always take the time (as `dbmate new` and `diesel migration
/// generate` do), Flyway the next integer (V1 in an empty folder). golang-migrate and diesel
/// always get a down file; goose and dbmate hold both directions in one file; `reversible` adds
/// a down file for sqlx and Flyway's undo (U) file. Throws Error(input) when the newest version is
/// the largest possible, Error(usage) when a file name would be longer than file systems allow
/// (255 bytes).
NewMigration plan_new_migration(const std::vector<std::string>& existing_names,
                                const std::string& name, bool reversible,
                                const std::string& utc_now, Layout layout = Layout::sqlx);

} // namespace preflight::migrate
