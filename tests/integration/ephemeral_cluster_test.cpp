// The throwaway cluster (--ephemeral): stopped and removed on signals and at the next start after
// a kill, set-up problems as exit 4, and other users' folders and processes left alone.

#include <gtest/gtest.h>

#include <pwd.h>
#include <sys/stat.h>

#include <filesystem>

#include "support/migrate_helpers.h"

using namespace preflight::testing;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> cluster_folders() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator("/tmp")) {
    if (e.path().filename().string().rfind("preflight-cluster-", 0) == 0)
      out.push_back(e.path().string());
  }
  return out;
}

TEST(EphemeralCluster, SigtermStopsTheServerAndRemovesItsFolder) {
  auto dir = make_temp_dir();
  write_file(dir + "/0001_slow.sql", "SELECT pg_sleep(30);\n");
  pid_t pid =
      spawn_preflight({"migrate", "up", "--ephemeral", "--source", dir}, make_temp_dir() + "/log");
  std::string folder;
  ASSERT_TRUE(eventually([&] {
    for (const auto& f : cluster_folders()) {
      if (read_text(f + "/owner.pid") == std::to_string(pid) + "\n" &&
          fs::exists(f + "/data/postmaster.pid")) {
        folder = f;
        return true;
      }
    }
    return false;
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500)); // into the migration's pg_sleep
  const auto server_pid = std::stoi(read_text(folder + "/data/postmaster.pid"));
  kill(pid, SIGTERM);
  EXPECT_EQ(wait_exit(pid), 128 + SIGTERM);
  EXPECT_FALSE(fs::exists(folder));
  EXPECT_TRUE(eventually([&] { return kill(server_pid, 0) != 0; }, 5));
}

TEST(EphemeralCluster, FolderOfAKilledRunIsRemovedAtTheNextStart) {
  pid_t dead = fork();
  if (dead == 0) _exit(0);
  waitpid(dead, nullptr, 0);
  const std::string folder = "/tmp/preflight-cluster-stale" + std::to_string(dead);
  write_file(folder + "/owner.pid", std::to_string(dead) + "\n");
  write_file(folder + "/data/PG_VERSION", "15\n");
  auto r = run_preflight({"migrate", "status", "--ephemeral", "--source", bundled_migrations()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(fs::exists(folder));
}

// The machine's set-up, not a bug: exit 4 with what to check, never 70 "a bug in preflight".
TEST(EphemeralCluster, SetUpProblemsAreExitFourAndARelativeTmpdirWorks) {
  auto bad = run_preflight({"migrate", "status", "--ephemeral", "--source", bundled_migrations()},
                           {}, {"PREFLIGHT_PG_BINDIR=/nonexistent"});
  EXPECT_EQ(bad.exit_code, 4) << bad.err;
  EXPECT_NE(bad.err.find("preflight: error: throwaway cluster: "), std::string::npos) << bad.err;
  EXPECT_EQ(bad.err.find("bug"), std::string::npos) << bad.err;

  const auto cwd = make_temp_dir();
  ::chmod(cwd.c_str(), 0755); // the server user must reach the cluster folder below it
  fs::create_directories(cwd + "/rel");
  ::chmod((cwd + "/rel").c_str(), 01777);
  auto relative = run_preflight(
      {"migrate", "status", "--ephemeral", "--source", bundled_migrations()}, cwd, {"TMPDIR=rel"});
  EXPECT_EQ(relative.exit_code, 0) << relative.err;
}

// A signal at any moment of the cluster's start — also while the template is copied, before
// the server runs — removes the cluster's folder.
TEST(EphemeralCluster, ASignalDuringStartLeavesNoFolder) {
  const auto tmp = make_temp_dir();
  ::chmod(tmp.c_str(), 01777);
  const auto log = make_temp_dir() + "/log";
  for (int delay_ms = 0; delay_ms <= 400; delay_ms += 20) {
    pid_t pid =
        spawn_preflight({"migrate", "status", "--ephemeral", "--source", bundled_migrations()}, log,
                        false, {"TMPDIR=" + tmp});
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    kill(pid, SIGTERM);
    wait_exit(pid);
    for (const auto& entry : fs::directory_iterator(tmp)) {
      EXPECT_EQ(entry.path().filename().string().rfind("preflight-cluster-", 0), std::string::npos)
          << "left after a signal at " << delay_ms << " ms: " << entry.path();
    }
  }
}

// `nohup preflight …`: a hangup ignored at start stays ignored, also with a throwaway cluster.
TEST(EphemeralCluster, AHangupIgnoredAtStartStaysIgnored) {
  auto dir = make_temp_dir();
  write_file(dir + "/0001_slow.sql", "SELECT pg_sleep(2);\n");
  const auto log = make_temp_dir() + "/log";
  pid_t pid = spawn_preflight({"--ephemeral", "migrate", "up", "--source", dir}, log, true);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  kill(pid, SIGHUP);
  EXPECT_EQ(wait_exit(pid), 0) << read_text(log);
}

// The temporary folder is shared: a "stale cluster" another user made (or a PID file naming a
// process that is not its postmaster, e.g. a reused PID) must not make preflight, as root,
// signal that process or delete that folder.
TEST(EphemeralCluster, StaleFoldersOfOthersAndPidsOfOtherProcessesAreLeftAlone) {
  pid_t dead = fork();
  if (dead == 0) _exit(0);
  waitpid(dead, nullptr, 0);
  pid_t victim = fork();
  if (victim == 0) {
    execl("/bin/sleep", "sleep", "60", static_cast<char*>(nullptr));
    _exit(127);
  }
  const auto tmp = make_temp_dir();
  ::chmod(tmp.c_str(), 01777);
  const std::string others = tmp + "/preflight-cluster-others";
  const std::string ours = tmp + "/preflight-cluster-ours";
  for (const auto& folder : {others, ours}) {
    write_file(folder + "/owner.pid", std::to_string(dead) + "\n");
    write_file(folder + "/data/postmaster.pid", std::to_string(victim) + "\n");
  }
  struct passwd* nobody = getpwnam("nobody");
  ASSERT_NE(nobody, nullptr);
  ASSERT_EQ(::chown(others.c_str(), nobody->pw_uid, nobody->pw_gid), 0);
  auto r = run_preflight({"migrate", "status", "--ephemeral", "--source", bundled_migrations()}, {},
                         {"TMPDIR=" + tmp});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(others));
  EXPECT_FALSE(fs::exists(ours)); // ours, and its owner is dead: removed
  // … but the process its PID file names was not signalled: it is still running.
  EXPECT_EQ(waitpid(victim, nullptr, WNOHANG), 0);
  kill(victim, SIGKILL);
  waitpid(victim, nullptr, 0);
}

} // namespace
