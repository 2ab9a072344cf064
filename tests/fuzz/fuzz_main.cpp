// One libFuzzer binary per target: PREFLIGHT_FUZZ_TARGET names the target (see fuzz_targets.h).
// A bug is reported by aborting, which libFuzzer records as a crash with the input that caused it.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include "fuzz/fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    preflight::fuzz::run_target(PREFLIGHT_FUZZ_TARGET,
                                std::string_view(reinterpret_cast<const char*>(data), size));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz target %s: %s\n", PREFLIGHT_FUZZ_TARGET, e.what());
    std::abort();
  }
  return 0;
}
