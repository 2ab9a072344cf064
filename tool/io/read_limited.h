#pragma once
// The one way preflight reads an input file whole: with a size limit per kind of input, so that
// /dev/zero, a FIFO fed forever or a mistaken multi-gigabyte file is refused with exit 2 instead
// of exhausting memory.

#include <cstdint>
#include <optional>
#include <string>

namespace preflight::io {

/// How much of one kind of input preflight reads at most, and what to call it in messages.
struct ReadLimit {
  std::uint64_t max_bytes;
  const char* what; // "migration file", "configuration file", …
};

// PostgreSQL refuses a query string over 1 GB: a larger migration could never run.
inline constexpr ReadLimit k_migration_limit{1ULL << 30, "migration file"};
inline constexpr ReadLimit k_config_limit{16ULL << 20, "configuration file"};
inline constexpr ReadLimit k_suite_limit{16ULL << 20, "suite file"};
inline constexpr ReadLimit k_dataset_limit{1ULL << 30, "dataset file"};
inline constexpr ReadLimit k_checks_limit{16ULL << 20, "checks file"};
inline constexpr ReadLimit k_results_limit{256ULL << 20, "results file"};
inline constexpr ReadLimit k_dotenv_limit{1ULL << 20, ".env file"};

/// How reading one file ended.
enum class ReadStatus { ok, not_found, too_large, failed };

/// Reads the file `name` (relative to the folder descriptor `dir_fd`, or AT_FDCWD) into `bytes`,
/// stopping past `max_bytes`; `error` is errno when the status is `failed`. A FIFO without a
/// writer reads as empty instead of blocking.
ReadStatus read_limited_at(int dir_fd, const std::string& name, std::uint64_t max_bytes,
                           std::string& bytes, int& error);

/// The whole file at `path`, or nullopt if it does not exist; throws Error(input) naming `path`
/// for a folder, a device, a file larger than the limit and a read failure.
std::optional<std::string> read_file_limited(const std::string& path, const ReadLimit& limit);

/// The message of a file refused for its size, e.g. "configuration file larger than 16 MiB".
std::string too_large_message(const ReadLimit& limit);

} // namespace preflight::io
