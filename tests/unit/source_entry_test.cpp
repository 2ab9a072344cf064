// Folder entries named like migrations that are not regular files, and control characters in
// names: refused, naming the entry (escaped).

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/migrate/layouts/layout.h"
#include "core/migrate/migration_set.h"
#include "core/migrate/source_entry.h"
#include "support/refusal.h"

using namespace preflight;
using namespace std::string_literals;
using preflight::testing::refusal;

TEST(MigrationDiscovery, EntriesNamedLikeMigrationsThatAreNotFilesAreRefused) {
  std::vector<migrate::SourceFile> files{
      {"m/0001_a.sql", "0001_a.sql", "SELECT 1;", {}},
      {"m/0002_b.sql", "0002_b.sql", "", "a FIFO"},
      {"m/0003_c.sql", "0003_c.sql", "", "a dangling symbolic link (its target does not exist)"},
      {"m/notes", "notes", "", "a FIFO"}, // not named like a migration: ignored
  };
  EXPECT_EQ(refusal([&] { migrate::discover_folder(std::move(files), "sqlx"); }),
            (std::vector<std::string>{
                "m/0002_b.sql: named like a migration, but a FIFO: it cannot be read",
                "m/0003_c.sql: named like a migration, but a dangling symbolic link (its target "
                "does not exist): it cannot be read"}));
}

TEST(MigrationDiscovery, ControlCharactersInNamesAreRefusedAndPrintedEscaped) {
  std::vector<migrate::SourceFile> files{
      {"m/0001_a\nb.sql", "0001_a\nb.sql", "SELECT 1;", {}},
      {"m/0002_\x1b[31mred.sql", "0002_\x1b[31mred.sql", "SELECT 1;", {}},
      {"m/0003_a\x7f.sql", "0003_a\x7f.sql", "SELECT 1;", {}},
  };
  EXPECT_EQ(
      refusal([&] { migrate::discover_folder(std::move(files), "sqlx"); }),
      (std::vector<std::string>{"m/0001_a\\nb.sql: file name contains a control character",
                                "m/0002_\\x1b[31mred.sql: file name contains a control "
                                "character",
                                "m/0003_a\\x7f.sql: file name contains a control character"}));
}

TEST(MigrationDiscovery, FileNamesAreShownWithInvalidUtf8AndControlCharactersEscaped) {
  EXPECT_EQ(migrate::escape_file_name("m/0001_caf\xc3\xa9.sql"), "m/0001_caf\xc3\xa9.sql");
  EXPECT_EQ(migrate::escape_file_name("m/0001_\xe9t\xe9\r\t.sql"), "m/0001_\\xe9t\\xe9\\r\\t.sql");
  EXPECT_EQ(migrate::escape_file_name("\xc3("), "\\xc3(");
}
