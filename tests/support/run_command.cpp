#include "support/run_command.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

namespace preflight::testing {

CommandResult run_captured(const std::vector<std::string>& words, const std::string& cwd,
                           const std::vector<std::string>& env,
                           const std::vector<std::string>& unset, unsigned timeout_seconds) {
  const std::string out_path = make_temp_dir() + "/out";
  const std::string err_path = out_path + ".err";
  std::vector<std::string> argv_words = words;
  std::vector<std::string> environment = env;
  const pid_t pid = fork();
  if (pid == 0) {
    if (chdir(cwd.c_str()) != 0) _exit(127);
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int in = open("/dev/null", O_RDONLY);
    dup2(out, 1);
    dup2(err, 2);
    dup2(in, 0);
    for (const auto& name : unset) unsetenv(name.c_str());
    for (auto& e : environment) putenv(e.data());
    // Survives exec: a command that hangs (a FIFO, a lock) is killed by SIGALRM.
    if (timeout_seconds > 0) alarm(timeout_seconds);
    std::vector<char*> argv;
    for (auto& w : argv_words) argv.push_back(w.data());
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = read_text(out_path);
  result.err = read_text(err_path);
  return result;
}

CommandResult run_command(const std::vector<std::string>& words, const std::string& cwd,
                          const std::vector<std::string>& env) {
  return run_captured(words, cwd.empty() ? make_temp_dir() : cwd, env, {"DATABASE_URL"}, 0);
}

} // namespace preflight::testing
