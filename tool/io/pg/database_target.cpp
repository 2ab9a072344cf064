#include "io/pg/database_target.h"

#include "core/config/connection_text.h"
#include "io/read_limited.h"

#include <cstdlib>

namespace preflight::pg {

std::optional<std::string> database_url_from_dotenv(const std::string& text) {
  return config::database_url_from_dotenv(text);
}

namespace {

std::optional<std::string> url_from_environment() {
  if (const char* env = std::getenv("DATABASE_URL"); env && *env) return std::string(env);
  if (auto text = io::read_file_limited(".env", io::k_dotenv_limit)) {
    return database_url_from_dotenv(*text);
  }
  return std::nullopt;
}

} // namespace

bool names_a_database(const TargetRequest& request) {
  if (request.ephemeral || request.database_url || url_from_environment()) return true;
  for (const char* name : {"PGHOST", "PGHOSTADDR", "PGDATABASE", "PGSERVICE"}) {
    if (const char* value = std::getenv(name); value && *value) return true;
  }
  return false;
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
  m_conninfo = request.database_url ? *request.database_url : url_from_environment().value_or("");
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
