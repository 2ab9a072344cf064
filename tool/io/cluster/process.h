#pragma once
// Child processes for the throwaway cluster: running PostgreSQL's programs as an unprivileged
// user (the server refuses to run as root), copying and chowning folders.

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace preflight::cluster {

struct ServerUser {
  uid_t uid = 0;
  gid_t gid = 0;
  bool switch_user = false; // true when preflight runs as root
};

/// The OS user the server runs as: the current user, or (as root) `name`, created with
/// useradd if it does not exist. Throws Error(internal) if that fails.
ServerUser server_user(const std::string& name);

/// Gives `root` and everything below it to `user` (no-op unless switching users).
void chown_tree(const std::filesystem::path& root, const ServerUser& user);

/// Copies a folder recursively, keeping permissions.
void copy_tree(const std::filesystem::path& from, const std::filesystem::path& to);

/// Runs `args` as `user`, output to `log_file`; returns the exit status.
int run_as(const std::vector<std::string>& args, const ServerUser& user,
           const std::string& log_file);

/// Runs `args` (PATH lookup) and returns its standard output; throws Error(internal) if it
/// cannot start or exits non-zero.
std::string run_capture(const std::vector<std::string>& args,
                        const std::optional<ServerUser>& user);

/// Starts the server as `user` with output to `log_file`; it receives SIGQUIT if this
/// process dies (PR_SET_PDEATHSIG), so a killed preflight does not leave it running.
pid_t spawn_server(const std::vector<std::string>& args, const ServerUser& user,
                   const std::string& log_file);

} // namespace preflight::cluster
