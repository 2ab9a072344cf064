#include "support/test_cluster.h"

#include "support/run_command.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <random>
#include <sstream>

#include "io/cluster/throwaway_cluster.h"

namespace fs = std::filesystem;

namespace preflight::testing {

namespace {

// One owner for everything the test process starts, so it is torn down in a known order.
struct ProcessState {
  std::unique_ptr<cluster::ThrowawayCluster> cluster;
  std::vector<std::string> temp_dirs;
  ~ProcessState() {
    cluster.reset();
    std::error_code ec;
    for (const auto& d : temp_dirs) fs::remove_all(d, ec);
  }
};

ProcessState& state() {
  static ProcessState s;
  return s;
}

std::unique_ptr<cluster::ThrowawayCluster>& shared_cluster() {
  return state().cluster;
}
std::vector<std::string>& temp_dirs() {
  return state().temp_dirs;
}

std::string random_suffix() {
  static std::mt19937_64 rng{std::random_device{}()};
  static const char* digits = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string s;
  for (int i = 0; i < 10; ++i) s += digits[rng() % 36];
  return s;
}

} // namespace

std::string server_conninfo(const std::string& database) {
  if (const char* url = std::getenv("PREFLIGHT_TEST_SERVER"); url && *url) {
    return std::string(url) + " dbname=" + database;
  }
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  if (!shared_cluster()) shared_cluster() = cluster::ThrowawayCluster::start();
  return shared_cluster()->conninfo(database);
}

std::unique_ptr<cluster::ThrowawayCluster>
start_server_with(const std::vector<std::string>& settings) {
  cluster::ClusterOptions options;
  options.settings = settings;
  return cluster::ThrowawayCluster::start(options);
}

std::string postgres_bin_dir() {
  return cluster::find_postgres_bin_dir();
}

TestDatabase::TestDatabase() : m_name("t_" + random_suffix()) {
  std::cerr << "[test database " << m_name << "]\n";
  auto admin = pg::PgSession::connect(server_conninfo("postgres"));
  admin->exec("CREATE DATABASE " + m_name);
}

TestDatabase::~TestDatabase() {
  try {
    auto admin = pg::PgSession::connect(server_conninfo("postgres"));
    admin->exec("DROP DATABASE IF EXISTS " + m_name + " WITH (FORCE)");
  } catch (...) {
  }
}

std::string TestDatabase::conninfo() const {
  return server_conninfo(m_name);
}

std::unique_ptr<pg::PgSession> TestDatabase::connect() const {
  return pg::PgSession::connect(conninfo());
}

std::string TestDatabase::scalar(const std::string& sql) const {
  auto session = connect();
  auto r = session->exec(sql);
  return r.rows() > 0 && r.columns() > 0 ? r.get(0, 0) : "";
}

std::string make_temp_dir() {
  // Tests run several preflight processes from threads (concurrency tests).
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  std::string pattern = (fs::temp_directory_path() / "preflight-test-XXXXXX").string();
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (!mkdtemp(buffer.data())) throw std::runtime_error("mkdtemp failed");
  temp_dirs().emplace_back(buffer.data());
  return buffer.data();
}

void write_file(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::string bundled_migrations() {
  return std::string(PREFLIGHT_SOURCE_DIR) + "/migrations";
}

CommandResult run_preflight(const std::vector<std::string>& args, const std::string& cwd,
                            const std::vector<std::string>& env) {
  return run_preflight_as({}, args, cwd, env);
}

CommandResult run_preflight_as(const std::string& user, const std::vector<std::string>& args,
                               const std::string& cwd, const std::vector<std::string>& env) {
  std::vector<std::string> words;
  if (!user.empty()) words = {"/usr/sbin/runuser", "-u", user, "--"};
  words.push_back(PREFLIGHT_BINARY);
  words.insert(words.end(), args.begin(), args.end());
  return run_command(words, cwd, env);
}

} // namespace preflight::testing
