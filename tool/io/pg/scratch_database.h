#pragma once
// A database preflight creates for its own measurements (the after side of a side-by-side run,
// the two sides of a --confirm re-run) and always drops again.

#include <memory>
#include <string>

#include "io/pg/pg_session.h"

namespace preflight::pg {

class ScratchDatabase {
public:
  /// Creates database `name` on the server `admin` is connected to and connects to it with the
  /// same credentials; throws Error(problem) when it cannot be created (e.g. no CREATEDB).
  ScratchDatabase(PgSession& admin, std::string name, const std::string& application_name);
  /// Creates database `name` as a copy of the one `source` is connected to (CREATE DATABASE …
  /// TEMPLATE: its tables, indexes, statistics and history, at the price of a file copy),
  /// stepping `source` away from it meanwhile. Returns nullptr, with the server's reason in
  /// `why_not`, when the server refuses (another session on the source, no right to copy it).
  static std::unique_ptr<ScratchDatabase> copy_of(PgSession& source, std::string name,
                                                  const std::string& application_name,
                                                  std::string& why_not);
  /// Creates database `name` empty (from template0, so that a restored dump meets no object of
  /// template1) with the encoding and locale of the one `source` is connected to, and its
  /// ALTER DATABASE settings; throws Error(problem) when it cannot be created.
  static std::unique_ptr<ScratchDatabase> empty_like(PgSession& source, std::string name,
                                                     const std::string& application_name);
  /// Closes the session and drops the database (WITH (FORCE)); never throws.
  ~ScratchDatabase();
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  PgSession& session() { return *m_session; }
  const std::string& name() const { return m_name; }

private:
  struct Created {}; // the database exists already: connect only
  ScratchDatabase(PgSession& admin, std::string name, const std::string& application_name, Created);

  PgSession& m_admin;
  std::string m_name;
  std::unique_ptr<PgSession> m_session;
};

} // namespace preflight::pg
