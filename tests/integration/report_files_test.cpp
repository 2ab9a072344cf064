// Writing results and reports where users point them: a symlink keeps being a link to the file
// that gets the text; a device or FIFO is written in place, never replaced by a regular file.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "io/report/report_files.h"
#include "support/case_files.h"
#include "support/test_cluster.h"

using namespace preflight;
using namespace preflight::testing;
namespace fs = std::filesystem;

namespace {

TEST(ReportFiles, ASymlinkIsFollowedAndKept) {
  auto dir = make_temp_dir();
  fs::create_symlink("target.md", dir + "/link.md"); // dangling until written
  report::check_writable(dir + "/link.md");
  EXPECT_TRUE(fs::is_symlink(dir + "/link.md"));
  EXPECT_FALSE(fs::exists(dir + "/target.md")) << "checking must not leave a file behind";

  report::write_text_file(dir + "/link.md", "first\n");
  EXPECT_TRUE(fs::is_symlink(dir + "/link.md"));
  EXPECT_EQ(read_text(dir + "/target.md"), "first\n");

  report::write_text_file(dir + "/link.md", "second\n");
  EXPECT_TRUE(fs::is_symlink(dir + "/link.md"));
  EXPECT_EQ(read_text(dir + "/target.md"), "second\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 2)
      << "no temporary file left behind";
}

TEST(ReportFiles, AFifoIsWrittenInPlaceForItsReader) {
  auto dir = make_temp_dir();
  const std::string fifo = dir + "/results.fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  report::check_writable(fifo); // returns at once although nobody reads yet
  std::string received;
  std::thread reader([&] {
    std::ifstream in(fifo, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    received = text.str();
  });
  report::write_text_file(fifo, "{\"ok\": true}\n");
  reader.join();
  EXPECT_EQ(received, "{\"ok\": true}\n");
  EXPECT_TRUE(fs::is_fifo(fifo));
}

TEST(ReportFiles, DevNullStaysADevice) {
  report::check_writable("/dev/null");
  report::write_text_file("/dev/null", "discarded\n");
  EXPECT_TRUE(fs::is_character_file("/dev/null"));

  auto results = (case_path("report", "focus_sessions") / "results.json").string();
  auto r = run_preflight({"report", results, "-o", "/dev/null"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
}

TEST(ReportFiles, ADeviceThatRefusesTheBytesIsAnErrorAndStaysADevice) {
  ASSERT_TRUE(fs::is_character_file("/dev/full"));
  try {
    report::write_text_file("/dev/full", "no space\n");
    ADD_FAILURE() << "writing /dev/full succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::input);
    EXPECT_EQ(e.message(), "cannot write file: No space left on device");
  }
  EXPECT_TRUE(fs::is_character_file("/dev/full"));
}

TEST(ReportFiles, AReportOverItsOwnResultsFileIsRefused) {
  auto dir = make_temp_dir();
  const auto results = read_text(case_path("report", "focus_sessions") / "results.json");
  write_file(dir + "/results.json", results);
  auto r = run_preflight({"report", "results.json", "-o", "./results.json"}, dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("preflight: error: -o ./results.json is an input of the report: it would "
                       "be overwritten"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(read_text(dir + "/results.json"), results);
}

// A results document that cannot be written where asked (here a file stands where its folder
// should be) goes to a temporary file, and the error names it: minutes of measuring are kept.
TEST(ReportFiles, ResultsThatCannotBeWrittenAreKeptInATemporaryFileTheErrorNames) {
  auto dir = make_temp_dir();
  write_file(dir + "/file", "x");
  const std::string kept =
      (fs::temp_directory_path() / ("preflight-" + std::to_string(getpid()) + "-results.json"))
          .string();
  try {
    report::write_text_file_or_keep(dir + "/file/results.json", "{}\n");
    ADD_FAILURE() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::input);
    EXPECT_TRUE(error.message().ends_with("; the results were saved to " + kept))
        << error.message();
    EXPECT_EQ(error.hint(), "copy them from there; nothing needs to be measured again");
  }
  EXPECT_EQ(read_text(kept), "{}\n");
  fs::remove(kept);
}

} // namespace
