#include "io/pg/database_target.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace preflight::pg {

std::optional<std::string> database_url_from_dotenv(const std::string& text) {
  std::istringstream lines(text);
  std::string line;
  std::optional<std::string> found;
  while (std::getline(lines, line)) {
    auto start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    line = line.substr(start);
    if (line.rfind("export ", 0) == 0) line = line.substr(7);
    const std::string key = "DATABASE_URL=";
    if (line.rfind(key, 0) != 0) continue;
    std::string value = line.substr(key.size());
    while (!value.empty() && (value.back() == '\r' || value.back() == ' ')) value.pop_back();
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    found = value;
  }
  return found;
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

}  // namespace preflight::pg
