#include <gtest/gtest.h>

#include "core/error.h"
#include "core/sql/parsed_sql.h"
#include "core/sql/statement_text.h"
#include "core/sql/text_position.h"

using namespace preflight::sql;

TEST(TextPosition, LineAndColumnCountCharacters) {
  const std::string text = "SELECT 1;\n-- é comment\nSELEC 2;";
  auto at = line_column_at(text, text.find("SELEC 2"));
  EXPECT_EQ(at.line, 3U);
  EXPECT_EQ(at.column, 1U);
  auto after_accent = line_column_at(text, text.find("comment"));
  EXPECT_EQ(after_accent.line, 2U);
  EXPECT_EQ(after_accent.column, 6U); // "-- é " is five characters, six bytes
}

TEST(TextPosition, LoneCrAndCrlfEndLinesLikeLf) {
  const std::string cr = "SELECT 1;\r-- note\rSELEC 2;";
  EXPECT_EQ(line_column_at(cr, cr.find("SELEC 2")).line, 3U);
  EXPECT_EQ(line_column_at(cr, cr.find("SELEC 2")).column, 1U);
  const std::string crlf = "SELECT 1;\r\nSELEC 2;";
  EXPECT_EQ(line_column_at(crlf, crlf.find("SELEC 2")).line, 2U);
  EXPECT_EQ(line_column_at(crlf, crlf.find("SELEC 2")).column, 1U);
  // A -- comment ends at a CR too: the statement after it is not swallowed.
  auto comments = leading_line_comments(cr, 9, cr.size());
  ASSERT_EQ(comments.size(), 1U);
  EXPECT_EQ(comments[0].text, " note");
  EXPECT_EQ(first_token_offset(cr, 9), cr.find("SELEC 2"));
}

TEST(TextPosition, CharacterPositionToByteOffset) {
  const std::string text = "é = x";
  EXPECT_EQ(byte_offset_of_char(text, 1), 0U);
  EXPECT_EQ(byte_offset_of_char(text, 2), 2U);
  EXPECT_EQ(byte_offset_of_char(text, 99), text.size());
}

TEST(ParsedSql, SplitsStatementsWithTheirOffsets) {
  const std::string sql =
      "CREATE TABLE a (id int);\n\n-- c\nCREATE INDEX CONCURRENTLY i ON a (id);\nSELECT ';';";
  auto statements = parse_statements(sql);
  ASSERT_EQ(statements.size(), 3U);
  EXPECT_EQ(node_type(statements[0]), "CreateStmt");
  EXPECT_EQ(node_type(statements[1]), "IndexStmt");
  EXPECT_EQ(node_type(statements[2]), "SelectStmt");
  EXPECT_EQ(sql.substr(statements[2].offset, statements[2].text.size()), statements[2].text);
  EXPECT_NE(statements[2].text.find("';'"), std::string::npos);
}

TEST(ParsedSql, SyntaxErrorHasLineAndColumn) {
  try {
    parse_statements("SELECT 1;\nSELEC 2;");
    FAIL() << "expected a parse error";
  } catch (const preflight::Error& e) {
    ASSERT_TRUE(e.location());
    EXPECT_EQ(e.location()->line, 2U);
    EXPECT_EQ(e.location()->column, 1U);
    EXPECT_EQ(e.message(), "SQL does not parse: syntax error at or near \"SELEC\"");
  }
}

TEST(ParsedSql, FingerprintIgnoresConstants) {
  EXPECT_EQ(fingerprint("SELECT * FROM t WHERE id = 1"),
            fingerprint("SELECT * FROM t WHERE id = $1"));
  EXPECT_NE(fingerprint("SELECT * FROM t WHERE id = 1"),
            fingerprint("SELECT * FROM u WHERE id = 1"));
}

TEST(TextPosition, FirstTokenSkipsWhitespaceAndComments) {
  EXPECT_EQ(first_token_offset("-- no-transaction\nCREATE INDEX", 0), 18U);
  EXPECT_EQ(first_token_offset("\n  /* a /* nested */ comment */ -- line\n\tSELECT 1", 0), 41U);
  EXPECT_EQ(first_token_offset("SELECT 1", 0), 0U);
  EXPECT_EQ(first_token_offset("  -- only a comment", 0), 19U);
}

TEST(ParsedSql, SplitMatchesParseWithoutTrees) {
  const std::string sql =
      "-- no-transaction\nCREATE INDEX CONCURRENTLY i ON a (id);\n/* c */ SELECT ';'; \n\n";
  auto parsed = parse_statements(sql);
  auto split = split_statements(sql);
  ASSERT_EQ(split.size(), parsed.size());
  for (std::size_t i = 0; i < split.size(); ++i) {
    EXPECT_EQ(split[i].offset, parsed[i].offset);
    EXPECT_EQ(split[i].text, parsed[i].text);
    EXPECT_TRUE(split[i].tree.is_null());
  }
  EXPECT_THROW(split_statements("SELECT 1;\nSELEC 2;"), preflight::Error);
}

TEST(ParsedSql, StatementStartsAtItsFirstTokenAfterTheCommentsBeforeIt) {
  const std::string sql =
      "SELECT 1;\n\n-- preflight:ignore x\n/* block */ CREATE TABLE t (id int);";
  for (const auto& statements : {parse_statements(sql), split_statements(sql)}) {
    ASSERT_EQ(statements.size(), 2U);
    EXPECT_EQ(statements[1].text, "CREATE TABLE t (id int)");
    EXPECT_EQ(statements[1].offset, sql.find("CREATE"));
    EXPECT_EQ(statements[1].leading_offset, sql.find(';') + 1);
  }
}
