#include "io/bench/side_by_side_database.h"

#include <fmt/format.h>

namespace preflight::bench {

SideBySideDatabase::SideBySideDatabase(pg::PgSession& loaded, std::string name,
                                       std::function<void(const std::string&)> progress)
    : m_loaded(loaded), m_name(std::move(name)), m_progress(std::move(progress)) {}

AfterDatabase SideBySideDatabase::open() {
  // A file copy of the loaded database is faster than loading the dataset again, and the same
  // bytes; a server that refuses it (another session on the database, no right to copy it)
  // gets the dataset loaded a second time.
  std::string why_not;
  m_database = pg::ScratchDatabase::copy_of(m_loaded, m_name, "preflight bench (after)", why_not);
  if (m_database) {
    m_progress(fmt::format(
        "side by side: the after phase runs in database {}, a copy of the loaded database",
        m_name));
    return {&m_database->session(), true};
  }
  m_database = std::make_unique<pg::ScratchDatabase>(m_loaded, m_name, "preflight bench (after)");
  m_progress(fmt::format("side by side: the after phase runs in database {} (the loaded database "
                         "could not be copied: {}; loading it again)",
                         m_name, why_not));
  return {&m_database->session(), false};
}

} // namespace preflight::bench
