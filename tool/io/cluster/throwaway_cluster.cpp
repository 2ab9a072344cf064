#include "io/cluster/throwaway_cluster.h"

#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "core/error.h"
#include "io/cluster/process.h"
#include "io/pg/pg_session.h"
#include "io/pg/server_probe.h"

namespace fs = std::filesystem;

namespace preflight::cluster {

namespace {

constexpr const char* k_server_user = "preflight";
constexpr const char* k_folder_prefix = "preflight-cluster-";

// A throwaway cluster that cannot be set up or started is a database preflight cannot reach
// (exit 4): the machine's set-up (binaries, folders, disk), not a bug in preflight.
Error cluster_error(std::string message, std::string hint = {}) {
  if (hint.empty())
    hint = "the throwaway cluster (--ephemeral) could not be set up: check the PostgreSQL "
           "binaries (PREFLIGHT_PG_BINDIR), that TMPDIR and the cache folder exist and are "
           "writable, and free disk space";
  return Error(ErrorKind::connection, "throwaway cluster: " + std::move(message), std::move(hint));
}

// Absolute: the server, started in another working folder, is given paths below it.
std::string temp_base() {
  const char* tmp = std::getenv("TMPDIR");
  std::error_code ec;
  const auto base = fs::absolute((tmp && *tmp) ? tmp : "/tmp", ec);
  return ec ? std::string("/tmp") : base.string();
}

// ---- live clusters, for the signal handler (async-signal-safe data only) ----

// A slot is in use while root[0] != 0: from the folder's creation (a signal while the template
// is copied must remove it too) to its removal; pid > 0 while a server runs in it.
struct LiveCluster {
  volatile pid_t pid = 0;
  std::array<char, 512> root{};
};
constexpr int k_max_live = 16;
LiveCluster g_live[k_max_live];
std::mutex g_live_mutex;

void remove_tree_from_handler(const char* root) {
  pid_t rm = fork();
  if (rm == 0) {
    execl("/bin/rm", "rm", "-rf", root, static_cast<char*>(nullptr));
    _exit(127);
  }
  if (rm > 0) waitpid(rm, nullptr, 0);
}

// While a cluster's folder or server changes hands (created but not yet registered, spawned but
// its PID not yet known, being stopped), a terminating signal waits: handled in the middle, it
// would remove a folder a starting server still writes into, or miss that server.
std::atomic<int> g_defer_depth{0};
std::atomic<int> g_deferred_signal{0};

class DeferTerminatingSignals {
public:
  DeferTerminatingSignals() { g_defer_depth.fetch_add(1); }
  ~DeferTerminatingSignals() {
    if (g_defer_depth.fetch_sub(1) == 1) {
      if (const int sig = g_deferred_signal.exchange(0)) raise(sig);
    }
  }
  DeferTerminatingSignals(const DeferTerminatingSignals&) = delete;
  DeferTerminatingSignals& operator=(const DeferTerminatingSignals&) = delete;
};

extern "C" void on_terminating_signal(int sig) {
  if (g_defer_depth.load() > 0) {
    g_deferred_signal.store(sig);
    return;
  }
  // First the server side of whatever runs (a migration's ALTER TABLE must not keep its lock
  // until it ends on its own), then the throwaway clusters.
  pg::cancel_running_statements();
  static const char message[] =
      "preflight: interrupted: running statements were cancelled (an open transaction rolls "
      "back)\n";
  [[maybe_unused]] auto written = write(STDERR_FILENO, message, sizeof message - 1);
  for (auto& live : g_live) {
    if (live.root[0] == '\0') continue;
    if (live.pid > 0) {
      kill(live.pid, SIGQUIT);
      waitpid(live.pid, nullptr, 0);
    }
    remove_tree_from_handler(live.root.data());
    live.root[0] = '\0';
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

LiveCluster* live_slot(const std::string& root) {
  for (auto& live : g_live) {
    if (live.root[0] != '\0' && root == live.root.data()) return &live;
  }
  return nullptr;
}

// The folder `root` now exists (server 0) or its server `pid` runs.
void register_live(const std::string& root, pid_t pid = 0) {
  std::lock_guard lock(g_live_mutex);
  if (LiveCluster* live = live_slot(root)) {
    live->pid = pid;
    return;
  }
  for (auto& live : g_live) {
    if (live.root[0] == '\0') {
      live.pid = pid;
      std::snprintf(live.root.data(), live.root.size(), "%s", root.c_str());
      return;
    }
  }
}

// The server of `root` is stopped (keep_folder) or the folder is gone too.
void unregister_live(const std::string& root, bool keep_folder) {
  std::lock_guard lock(g_live_mutex);
  if (LiveCluster* live = live_slot(root)) {
    live->pid = 0;
    if (!keep_folder) live->root[0] = '\0';
  }
}

} // namespace

void install_signal_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
      // A signal ignored when preflight started stays ignored (nohup, a shell's background job).
      struct sigaction old {};
      if (sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
      struct sigaction action {};
      action.sa_handler = on_terminating_signal;
      sigemptyset(&action.sa_mask);
      sigaction(sig, &action, nullptr);
    }
  });
}

namespace {

// ---- helpers ----

bool process_alive(pid_t pid) {
  return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

pid_t read_pid(const fs::path& file) {
  std::ifstream in(file);
  long pid = 0;
  if (!(in >> pid)) return -1;
  return static_cast<pid_t>(pid);
}

// Folders of clusters whose owner died (kill -9 of a test run): stop their server, remove them.
// True when `pid` is the postmaster of `data`: a postmaster's working folder is its data folder.
// A PID file alone proves nothing (the PID may have been reused, or the file written by anyone).
bool is_postmaster_of(pid_t pid, const fs::path& data) {
  std::error_code ec;
  const auto cwd = fs::read_symlink(fmt::format("/proc/{}/cwd", pid), ec);
  return !ec && fs::equivalent(cwd, data, ec) && !ec;
}

// Only folders preflight made — owned by this user or the server user — are stale clusters:
// the temporary folder is shared, and anyone may create a folder with that name in it.
void remove_stale_clusters(uid_t server_uid) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(temp_base(), ec)) {
    const auto name = entry.path().filename().string();
    if (name.rfind(k_folder_prefix, 0) != 0) continue;
    struct stat folder {};
    if (lstat(entry.path().c_str(), &folder) != 0 || !S_ISDIR(folder.st_mode) ||
        (folder.st_uid != getuid() && folder.st_uid != server_uid))
      continue;
    pid_t owner = read_pid(entry.path() / "owner.pid");
    if (owner <= 0 || process_alive(owner)) continue;
    pid_t server = read_pid(entry.path() / "data" / "postmaster.pid");
    if (process_alive(server) && is_postmaster_of(server, entry.path() / "data")) {
      kill(server, SIGQUIT);
      for (int i = 0; i < 100 && process_alive(server); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
    fs::remove_all(entry.path(), ec);
  }
}

int free_tcp_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw cluster_error("cannot create a socket to find a free port");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    throw cluster_error("cannot find a free TCP port");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

std::string tail_of(const fs::path& file, std::size_t bytes = 2000) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto text = buffer.str();
  return text.size() > bytes ? text.substr(text.size() - bytes) : text;
}

std::string server_version_of(const std::string& bin_dir) {
  auto out = run_capture({bin_dir + "/postgres", "--version"}, std::nullopt);
  auto pos = out.find_first_of("0123456789");
  if (pos == std::string::npos) return "unknown";
  auto end = out.find_first_of(". \n", pos);
  return out.substr(pos, end - pos); // the major version
}

fs::path cache_dir() {
  if (const char* dir = std::getenv("PREFLIGHT_CACHE_DIR"); dir && *dir) return dir;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return fs::path(xdg) / "preflight";
  if (const char* home = std::getenv("HOME"); home && *home)
    return fs::path(home) / ".cache" / "preflight";
  return fs::path(temp_base()) / "preflight-cache";
}

// initdb once per PostgreSQL version and server user; later clusters copy the template
// (initdb takes ~0.8 s here, a copy well under 0.1 s).
fs::path ensure_template(const std::string& bin_dir, const ServerUser& user) {
  fs::path dir = cache_dir();
  std::error_code ec_dir;
  fs::create_directories(dir, ec_dir);
  if (ec_dir) {
    // No writable home (a system user without one, a read-only HOME): a per-user cache in the
    // temporary folder still saves the initdb of every later run.
    dir = fs::path(temp_base()) / fmt::format("preflight-cache-uid{}", getuid());
    fs::create_directories(dir, ec_dir);
    if (ec_dir)
      throw cluster_error(
          fmt::format("cannot create the template cache {}: {}", dir.string(), ec_dir.message()));
  }
  fs::path tmpl = dir / fmt::format("template-pg{}-uid{}", server_version_of(bin_dir), user.uid);
  if (fs::exists(tmpl / "PG_VERSION")) return tmpl;

  int lock_fd = open((dir / "template.lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
  if (lock_fd < 0)
    throw cluster_error(
        fmt::format("cannot open the template lock in {}: {}", dir.string(), std::strerror(errno)));
  flock(lock_fd, LOCK_EX);
  struct Unlock {
    int fd;
    ~Unlock() {
      flock(fd, LOCK_UN);
      close(fd);
    }
  } unlock{lock_fd};
  if (fs::exists(tmpl / "PG_VERSION")) return tmpl;

  // initdb must run as the server user in a folder that user owns.
  std::string work = temp_base() + "/preflight-initdb-XXXXXX";
  std::vector<char> pattern(work.begin(), work.end());
  pattern.push_back('\0');
  if (!mkdtemp(pattern.data()))
    throw cluster_error(fmt::format("cannot create a temporary folder for initdb in {}: {}",
                                    temp_base(), std::strerror(errno)));
  fs::path work_dir = pattern.data();
  chown_tree(work_dir, user);
  fs::path data = work_dir / "data";
  auto log = work_dir / "initdb.log";
  int rc = run_as({bin_dir + "/initdb", "-D", data.string(), "-U", "postgres", "-A", "trust", "-E",
                   "UTF8", "--locale=C", "--no-sync", "--no-instructions"},
                  user, log.string());
  if (rc != 0) {
    auto text = tail_of(log);
    std::error_code ec;
    fs::remove_all(work_dir, ec);
    throw cluster_error("initdb failed:\n" + text);
  }
  fs::path staging = dir / fmt::format("staging-{}", getpid());
  fs::remove_all(staging);
  copy_tree(data, staging);
  fs::rename(staging, tmpl);
  std::error_code ec;
  fs::remove_all(work_dir, ec);
  return tmpl;
}

} // namespace

std::string find_postgres_bin_dir() {
  if (const char* dir = std::getenv("PREFLIGHT_PG_BINDIR"); dir && *dir) {
    for (const char* program : {"postgres", "initdb"}) {
      if (access((fs::path(dir) / program).c_str(), X_OK) != 0)
        throw cluster_error(fmt::format("PREFLIGHT_PG_BINDIR={} has no {} to run", dir, program),
                            "set PREFLIGHT_PG_BINDIR to the folder holding initdb and postgres "
                            "(Debian: /usr/lib/postgresql/<version>/bin), or unset it");
    }
    return dir;
  }
  std::error_code ec;
  int best = -1;
  std::string best_dir;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    int version = std::atoi(entry.path().filename().c_str());
    if (version > best && fs::exists(entry.path() / "bin" / "postgres")) {
      best = version;
      best_dir = (entry.path() / "bin").string();
    }
  }
  if (!best_dir.empty()) return best_dir;
  try {
    auto out = run_capture({"pg_config", "--bindir"}, std::nullopt);
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    if (!out.empty() && fs::exists(fs::path(out) / "postgres")) return out;
  } catch (const Error&) {
  }
  throw cluster_error("no PostgreSQL server binaries found",
                      "install postgresql (Debian: apt-get install postgresql) or set "
                      "PREFLIGHT_PG_BINDIR to the folder holding initdb and postgres");
}

std::unique_ptr<ThrowawayCluster> ThrowawayCluster::start(const ClusterOptions& options) {
  install_signal_handlers();
  std::unique_ptr<ThrowawayCluster> cluster(new ThrowawayCluster());
  cluster->m_bin_dir = find_postgres_bin_dir();
  cluster->m_durable = options.durable;
  ServerUser user = server_user(k_server_user);
  remove_stale_clusters(user.uid);
  fs::path tmpl = ensure_template(cluster->m_bin_dir, user);

  std::string pattern_text = temp_base() + "/" + k_folder_prefix + "XXXXXX";
  std::vector<char> pattern(pattern_text.begin(), pattern_text.end());
  pattern.push_back('\0');
  std::optional<DeferTerminatingSignals> defer(std::in_place);
  if (!mkdtemp(pattern.data()))
    throw cluster_error(fmt::format("cannot create a folder for the cluster in {}: {}", temp_base(),
                                    std::strerror(errno)));
  fs::path root = pattern.data();
  cluster->m_root = root.string();
  register_live(cluster->m_root);
  defer.reset();
  {
    std::ofstream owner(root / "owner.pid");
    owner << getpid() << "\n";
  }
  fs::path data = root / "data";
  fs::path sockets = root / "socket";
  copy_tree(tmpl, data);
  fs::create_directories(sockets);
  chown_tree(root, user);
  fs::permissions(data, fs::perms::owner_all, fs::perm_options::replace);
  cluster->m_socket_dir = sockets.string();
  cluster->m_port = options.tcp ? free_tcp_port() : 5432;

  std::vector<std::string> args{cluster->m_bin_dir + "/postgres",
                                "-D",
                                data.string(),
                                "-k",
                                sockets.string(),
                                "-p",
                                std::to_string(cluster->m_port),
                                "-c",
                                std::string("listen_addresses=") + (options.tcp ? "127.0.0.1" : ""),
                                "-c",
                                "max_connections=100",
                                "-c",
                                "logging_collector=off"};
  if (!options.durable) {
    for (const char* s : {"fsync=off", "synchronous_commit=off", "full_page_writes=off"}) {
      args.insert(args.end(), {"-c", s});
    }
  }
  for (const auto& s : options.settings) args.insert(args.end(), {"-c", s});

  auto log = (root / "server.log").string();
  {
    DeferTerminatingSignals spawning;
    cluster->m_server_pid = spawn_server(args, user, log);
    register_live(cluster->m_root, cluster->m_server_pid);
  }

  // Ready when the server accepts connections; give up with its log if it exits.
  const auto conninfo = cluster->conninfo();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!pg::accepts_connections(conninfo)) {
    int status = 0;
    if (waitpid(cluster->m_server_pid, &status, WNOHANG) == cluster->m_server_pid) {
      unregister_live(cluster->m_root, true);
      cluster->m_server_pid = -1;
      auto text = tail_of(log);
      cluster->stop();
      throw cluster_error("the throwaway PostgreSQL server did not start:\n" + text);
    }
    if (std::chrono::steady_clock::now() > deadline) {
      auto text = tail_of(log);
      cluster->stop();
      throw cluster_error("the throwaway PostgreSQL server did not accept connections in 60 s:\n" +
                          text);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return cluster;
}

ThrowawayCluster::~ThrowawayCluster() {
  stop();
}

void ThrowawayCluster::stop() {
  if (m_server_pid > 0) {
    DeferTerminatingSignals stopping;
    unregister_live(m_root, true); // the handler must not signal a PID this reaps
    // Immediate shutdown: the data is thrown away, so there is nothing to flush.
    kill(m_server_pid, SIGQUIT);
    int status = 0;
    for (int i = 0; i < 500; ++i) {
      if (waitpid(m_server_pid, &status, WNOHANG) == m_server_pid) break;
      if (i == 499) {
        kill(m_server_pid, SIGKILL);
        waitpid(m_server_pid, &status, 0);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    m_server_pid = -1;
  }
  if (!m_root.empty()) {
    std::error_code ec;
    fs::remove_all(m_root, ec);
    unregister_live(m_root, false);
    m_root.clear();
  }
}

std::string ThrowawayCluster::conninfo(const std::string& database) const {
  return fmt::format("host={} port={} user=postgres dbname={}", m_socket_dir, m_port, database);
}

std::string ThrowawayCluster::url(const std::string& database) const {
  return fmt::format("postgresql://postgres@/{}?host={}&port={}", database, m_socket_dir, m_port);
}

void ThrowawayCluster::create_database(const std::string& name) const {
  const auto error = pg::run_once(conninfo(), "CREATE DATABASE \"" + name + "\"");
  if (!error.empty()) throw cluster_error("cannot create database " + name + ": " + error);
}

} // namespace preflight::cluster
