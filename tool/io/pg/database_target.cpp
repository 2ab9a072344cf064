#include "io/pg/database_target.h"

#include "core/config/connection_text.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace preflight::pg {

std::optional<std::string> database_url_from_dotenv(const std::string& text) {
  return config::database_url_from_dotenv(text);
}

DatabaseTarget::DatabaseTarget(const TargetRequest& request) {
  if (request.ephemeral) {
    if (request.database_url) {
      throw Error(ErrorKind::usage, "--ephemeral and --database-url exclude each other");
    }
    m_cluster = cluster::ThrowawayCluster::start(request.cluster);
    m_cluster->create_database("preflight");
    m_conninfo = m_cluster->conninfo("preflight");
    return;
  }
  if (request.database_url) {
    m_conninfo = *request.database_url;
  } else if (const char* env = std::getenv("DATABASE_URL"); env && *env) {
    m_conninfo = env;
  } else if (std::ifstream dotenv(".env"); dotenv) {
    std::stringstream text;
    text << dotenv.rdbuf();
    m_conninfo = database_url_from_dotenv(text.str()).value_or("");
  }
}

std::unique_ptr<PgSession> DatabaseTarget::connect(const std::string& application_name) const {
  return PgSession::connect(m_conninfo, application_name);
}

std::string DatabaseTarget::display() const {
  if (m_cluster) return "throwaway cluster (" + m_cluster->socket_dir() + ")";
  if (m_conninfo.empty()) return "libpq defaults (PG* environment variables)";
  return redact_password(m_conninfo);
}

} // namespace preflight::pg
