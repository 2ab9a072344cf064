#pragma once
// Which database a command talks to: --database-url, else DATABASE_URL (also from ./.env),
// else libpq's PG* variables; or, with --ephemeral, a throwaway cluster started for the command.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "io/cluster/throwaway_cluster.h"
#include "io/pg/pg_session.h"

namespace preflight::pg {

struct TargetRequest {
  std::optional<std::string> database_url; // from --database-url
  bool ephemeral = false;
  cluster::ClusterOptions cluster; // for --ephemeral
};

class DatabaseTarget {
public:
  /// Resolves the target; starts the throwaway cluster (database "preflight") for --ephemeral.
  explicit DatabaseTarget(const TargetRequest& request);

  /// Opens a new session; throws Error(connection) (password-free) when that fails.
  std::unique_ptr<PgSession> connect(const std::string& application_name = "preflight") const;
  /// libpq connection string or URL (may contain a password: never print it, see display()).
  const std::string& conninfo() const { return m_conninfo; }
  /// What to show users: the URL with the password masked, or "throwaway cluster".
  std::string display() const;
  /// The throwaway cluster, or nullptr.
  cluster::ThrowawayCluster* cluster() const { return m_cluster.get(); }

private:
  std::unique_ptr<cluster::ThrowawayCluster> m_cluster;
  std::string m_conninfo;
};

/// Whether the request names a database at all — --ephemeral, --database-url, DATABASE_URL (in
/// the environment or ./.env), or libpq's PGHOST, PGHOSTADDR, PGDATABASE or PGSERVICE — for
/// commands where a database is optional (`bench compare --confirm`): libpq's defaults alone
/// always name one, the local socket, which is not a choice the user made.
bool names_a_database(const TargetRequest& request);

/// The DATABASE_URL line of a .env file's text, if any (quotes removed, `export` allowed).
std::optional<std::string> database_url_from_dotenv(const std::string& text);

} // namespace preflight::pg
