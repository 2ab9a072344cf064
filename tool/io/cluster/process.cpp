#include "io/cluster/process.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace fs = std::filesystem;

namespace preflight::cluster {

namespace {

std::vector<char*> argv_of(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  return argv;
}

// In the child only: become the server user. Exits the child on failure.
void become(const ServerUser& user) {
  if (!user.switch_user) return;
  if (setgroups(0, nullptr) != 0 || setgid(user.gid) != 0 || setuid(user.uid) != 0) _exit(126);
}

// In the child only: stdout and stderr to the log, stdin from /dev/null.
void redirect_to_log(const std::string& log_file) {
  int fd = open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd >= 0) {
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    close(fd);
  }
  int null_in = open("/dev/null", O_RDONLY);
  if (null_in >= 0) dup2(null_in, STDIN_FILENO);
}

int wait_status(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

} // namespace

ServerUser server_user(const std::string& name) {
  ServerUser user{getuid(), getgid(), false};
  if (geteuid() != 0) return user;
  passwd* pw = getpwnam(name.c_str());
  if (pw == nullptr) {
    int rc = run_as({"useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                     "--user-group", name},
                    user, "/dev/null");
    pw = getpwnam(name.c_str());
    if (pw == nullptr) {
      throw Error(ErrorKind::internal,
                  "PostgreSQL refuses to run as root and the OS user \"" + name +
                      "\" could not be created (useradd exit " + std::to_string(rc) + ")",
                  "create an unprivileged user named " + name +
                      ", or run preflight as a non-root user");
    }
  }
  return ServerUser{pw->pw_uid, pw->pw_gid, true};
}

void chown_tree(const fs::path& root, const ServerUser& user) {
  if (!user.switch_user) return;
  auto own = [&](const fs::path& p) {
    if (lchown(p.c_str(), user.uid, user.gid) != 0) {
      throw Error(ErrorKind::internal, "cannot chown " + p.string() + ": " + std::strerror(errno));
    }
  };
  own(root);
  for (const auto& entry : fs::recursive_directory_iterator(root)) own(entry.path());
}

void copy_tree(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
  if (ec)
    throw Error(ErrorKind::internal,
                "cannot copy " + from.string() + " to " + to.string() + ": " + ec.message());
}

int run_as(const std::vector<std::string>& args, const ServerUser& user,
           const std::string& log_file) {
  auto argv = argv_of(args);
  pid_t pid = fork();
  if (pid < 0)
    throw Error(ErrorKind::internal, "fork failed: " + std::string(std::strerror(errno)));
  if (pid == 0) {
    redirect_to_log(log_file);
    become(user);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  return wait_status(pid);
}

std::string run_capture(const std::vector<std::string>& args,
                        const std::optional<ServerUser>& user) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) throw Error(ErrorKind::internal, "pipe failed");
  auto argv = argv_of(args);
  pid_t pid = fork();
  if (pid < 0) throw Error(ErrorKind::internal, "fork failed");
  if (pid == 0) {
    dup2(pipe_fds[1], STDOUT_FILENO);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    int null_fd = open("/dev/null", O_RDWR);
    if (null_fd >= 0) {
      dup2(null_fd, STDIN_FILENO);
      dup2(null_fd, STDERR_FILENO);
    }
    if (user) become(*user);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  std::string out;
  char buffer[4096];
  ssize_t n = 0;
  while ((n = read(pipe_fds[0], buffer, sizeof buffer)) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) out.append(buffer, static_cast<std::size_t>(n));
  }
  close(pipe_fds[0]);
  int rc = wait_status(pid);
  if (rc != 0)
    throw Error(ErrorKind::internal, args[0] + " exited with status " + std::to_string(rc));
  return out;
}

pid_t spawn_server(const std::vector<std::string>& args, const ServerUser& user,
                   const std::string& log_file) {
  auto argv = argv_of(args);
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0)
    throw Error(ErrorKind::internal, "fork failed: " + std::string(std::strerror(errno)));
  if (pid == 0) {
    redirect_to_log(log_file);
    // Ctrl-C in a terminal must reach preflight, which then stops the server itself.
    setpgid(0, 0);
    become(user);
    // Set after changing user: the kernel clears the death signal on credential changes.
    prctl(PR_SET_PDEATHSIG, SIGQUIT);
    if (getppid() != parent) _exit(0);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

} // namespace preflight::cluster
