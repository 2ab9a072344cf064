#include "support/run_command.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

namespace preflight::testing {

CommandResult run_command(const std::vector<std::string>& words, const std::string& cwd,
                          const std::vector<std::string>& env) {
  const std::string dir = cwd.empty() ? make_temp_dir() : cwd;
  const std::string out_path = make_temp_dir() + "/out";
  const std::string err_path = out_path + ".err";
  std::vector<std::string> argv_words = words;
  std::vector<std::string> environment = env;
  const pid_t pid = fork();
  if (pid == 0) {
    if (chdir(dir.c_str()) != 0) _exit(127);
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int in = open("/dev/null", O_RDONLY);
    dup2(out, 1);
    dup2(err, 2);
    dup2(in, 0);
    unsetenv("DATABASE_URL");
    for (auto& e : environment) putenv(e.data());
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

} // namespace preflight::testing
