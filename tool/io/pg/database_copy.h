#pragma once
// A throwaway copy of a database: its schema (and, on request, its rows when small enough)
// copied with pg_dump / pg_restore into a new database on the same server, or into a throwaway
// cluster when this role may not create databases. What must run for real without touching the
// original (a dry run of migrations that commit, or that cannot run in a transaction block) runs
// there; the copy is dropped on destruction, and also when preflight is interrupted or killed.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "io/cluster/throwaway_cluster.h"
#include "io/pg/pg_session.h"
#include "io/pg/scratch_database.h"

namespace preflight::pg {

enum class CopyPlace {
  same_server,       // a new database beside the original: same version, roles, extensions
  throwaway_cluster, // a private cluster from the local PostgreSQL binaries
};

struct DatabaseCopyOptions {
  /// Copy every table's rows too; refused when the database is larger than max_data_bytes.
  bool with_data = false;
  std::int64_t max_data_bytes = std::int64_t{1} << 30; // 1 GiB, pg_database_size()
  /// Tables whose rows are copied even without with_data (quoted, schema-qualified, existing),
  /// e.g. the migration history table, so that the copy knows what is applied.
  std::vector<std::string> data_tables;
  /// Where to copy; nullopt: the same server when this role may create databases, else a
  /// throwaway cluster.
  std::optional<CopyPlace> place;
  std::string application_name = "preflight copy";
};

/// Where a copy would go and with which pg_dump, found without creating anything.
struct CopyFeasibility {
  CopyPlace place = CopyPlace::same_server;
  std::string bin_dir;            // holds pg_dump, pg_restore (and dropdb)
  int tools_major = 0;            // pg_dump's major version
  int server_major = 0;           // the original's
  std::vector<std::string> notes; // e.g. the throwaway cluster runs another major version
};

class DatabaseCopy {
public:
  /// Checks that a copy of the database `original` is connected to can be made — pg_dump no
  /// older than the server, and CREATE DATABASE rights or local server binaries — and where;
  /// throws Error(connection) (exit 4) saying what is missing and what to change, or
  /// Error(usage) when with_data is asked for a database larger than max_data_bytes.
  static CopyFeasibility check(PgSession& original, const DatabaseCopyOptions& options);
  /// Makes the copy (check() first); throws Error(connection) with pg_restore's message when the
  /// schema does not restore there. `original` must outlive the copy.
  static std::unique_ptr<DatabaseCopy> create(PgSession& original,
                                              const DatabaseCopyOptions& options);
  /// Drops the copy (the database, or the whole throwaway cluster); never throws.
  ~DatabaseCopy();
  DatabaseCopy(const DatabaseCopy&) = delete;
  DatabaseCopy& operator=(const DatabaseCopy&) = delete;

  /// A new session on the copy, with the original's credentials (same server) or as the
  /// cluster's superuser, synchronous_commit off; throws Error(connection).
  std::unique_ptr<PgSession> connect(const std::string& application_name) const;
  CopyPlace place() const { return m_feasibility.place; }
  const CopyFeasibility& feasibility() const { return m_feasibility; }
  /// What to show users, e.g. `database "preflight_copy_…" on the same server` (no password).
  std::string describe() const;
  /// The copy's database name.
  const std::string& name() const { return m_name; }

private:
  class DropGuard; // a child process that drops the database if preflight dies first
  DatabaseCopy() = default;

  CopyFeasibility m_feasibility;
  PgSession* m_original = nullptr;
  std::string m_name;
  std::unique_ptr<DropGuard> m_guard;
  std::unique_ptr<ScratchDatabase> m_scratch;           // same_server
  std::unique_ptr<cluster::ThrowawayCluster> m_cluster; // throwaway_cluster
};

} // namespace preflight::pg
