// Replays every file under tests/fuzz/corpus/<target>/ through its fuzz target: the seeds taken
// from real inputs and every input a libFuzzer run found crashing (added there as a regression
// case once fixed). Each target's folder is one test, so a regression names its target and file.

#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>

#include "fuzz/fuzz_targets.h"
#include "support/case_files.h"

namespace {

namespace fs = std::filesystem;

class FuzzCorpus : public ::testing::TestWithParam<std::string> {};

TEST_P(FuzzCorpus, EveryFileIsAcceptedOrRejectedAsBadInput) {
  const fs::path folder = fs::path(PREFLIGHT_FUZZ_CORPUS_DIR) / GetParam();
  int files = 0;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (!entry.is_regular_file()) continue;
    ++files;
    const auto bytes = preflight::testing::read_text(entry.path());
    try {
      preflight::fuzz::run_target(GetParam(), bytes);
    } catch (const std::logic_error& e) {
      ADD_FAILURE() << entry.path().string() << ": " << e.what();
    }
  }
  // A target without seeds would fuzz from nothing and replay nothing.
  EXPECT_GT(files, 0) << folder.string();
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzCorpus, ::testing::ValuesIn(preflight::fuzz::target_names()),
                         [](const auto& test) { return test.param; });

} // namespace
