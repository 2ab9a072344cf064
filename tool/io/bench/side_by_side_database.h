#pragma once
// Where the after phase of `bench run --side-by-side` lives: a scratch database beside the one
// the suite was loaded into, dropped when the run is over.

#include <functional>
#include <memory>
#include <string>

#include "io/bench/runner.h"
#include "io/pg/pg_session.h"
#include "io/pg/scratch_database.h"

namespace preflight::bench {

class SideBySideDatabase {
public:
  /// Makes nothing yet: open() creates the database when the runner asks for it. `progress`
  /// gets one line saying which database the after phase runs in, and how it was made.
  SideBySideDatabase(pg::PgSession& loaded, std::string name,
                     std::function<void(const std::string& line)> progress);

  /// Creates the database (for RunOptions::after_database): a file copy of the loaded database
  /// when the server allows it, else an empty one that the runner loads again; throws
  /// Error(problem) when not even an empty one can be created.
  AfterDatabase open();

private:
  pg::PgSession& m_loaded;
  std::string m_name;
  std::function<void(const std::string&)> m_progress;
  std::unique_ptr<pg::ScratchDatabase> m_database;
};

} // namespace preflight::bench
