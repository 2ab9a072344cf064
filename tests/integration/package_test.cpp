// The .deb that `bash tool/setup.sh package` builds: its declared dependencies, its files, and an
// installed binary that runs `--version` and the demo from the bundled example it carries.

#include <gtest/gtest.h>

#include <filesystem>

#include "support/run_command.h"
#include "support/test_cluster.h"

using namespace preflight::testing;
namespace fs = std::filesystem;

TEST(Package, TheDebInstallsABinaryThatRunsVersionAndTheDemoFromItsBundledExample) {
  const fs::path build = fs::path(PREFLIGHT_BINARY).parent_path().parent_path();
  const auto out = make_temp_dir();
  auto cpack = run_command(
      {"cpack", "-G", "DEB", "--config", (build / "CPackConfig.cmake").string(), "-B", out});
  ASSERT_EQ(cpack.exit_code, 0) << cpack.out << cpack.err;
  std::string deb;
  for (const auto& entry : fs::directory_iterator(out)) {
    if (entry.path().extension() == ".deb") deb = entry.path().string();
  }
  ASSERT_FALSE(deb.empty()) << cpack.out;

  auto depends = run_command({"dpkg-deb", "--field", deb, "Depends"});
  ASSERT_EQ(depends.exit_code, 0) << depends.err;
  for (const char* package : {"libpq5", "libpg-query", "libfmt", "postgresql"}) {
    EXPECT_NE(depends.out.find(package), std::string::npos) << depends.out;
  }
  EXPECT_EQ(depends.out.find("libpqxx"), std::string::npos) << depends.out;

  const auto root = make_temp_dir();
  auto extract = run_command({"dpkg-deb", "-x", deb, root});
  ASSERT_EQ(extract.exit_code, 0) << extract.err;
  for (const char* file :
       {"usr/bin/preflight", "usr/share/man/man1/preflight.1",
        "usr/share/man/man1/preflight-migrate.1", "usr/share/bash-completion/completions/preflight",
        "usr/share/zsh/vendor-completions/_preflight",
        "usr/share/fish/vendor_completions.d/preflight.fish",
        "usr/share/preflight/example/migrations/0003_mid003_batch_optimizations.up.sql",
        "usr/share/preflight/example/benchmarks/focus_sessions.toml",
        "usr/share/preflight/example/benchmarks/focus_sessions.dataset.sql",
        "usr/share/preflight/example/benchmarks/checks/focus_sessions.checks.toml"}) {
    EXPECT_TRUE(fs::exists(fs::path(root) / file)) << file;
  }
  const std::string binary = root + "/usr/bin/preflight";
  auto version = run_command({binary, "--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out, std::string("preflight ") + PREFLIGHT_VERSION + "\n");

  // Outside any project folder: the installed binary runs a copy of its bundled example.
  const auto elsewhere = make_temp_dir();
  auto demo = run_command({binary, "demo"}, elsewhere, {"CI=true"});
  const std::string prefix = "== the bundled example, copied to ";
  const auto end = demo.out.find(" (the reports are written there)\n");
  ASSERT_EQ(demo.out.rfind(prefix, 0), 0u) << demo.out << demo.err;
  ASSERT_NE(end, std::string::npos) << demo.out;
  const fs::path copy = demo.out.substr(prefix.size(), end - prefix.size());
  EXPECT_EQ(demo.exit_code, 0) << demo.out << demo.err;
  EXPECT_NE(demo.out.find("Demo finished; the throwaway cluster is removed."), std::string::npos)
      << demo.out;
  EXPECT_TRUE(fs::exists(copy / "reports/demo/report.html")) << copy;
  EXPECT_TRUE(fs::is_empty(elsewhere)) << "the demo wrote into the folder it was run from";
  std::error_code ignored;
  fs::remove_all(copy, ignored);
}
