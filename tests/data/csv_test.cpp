#include "glassnet/data/csv.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "glassnet/core/error.hpp"

namespace glassnet {
namespace {

// Expects parse_csv(text) to fail with a message starting "data.csv:LINE:COLUMN:" and
// containing `fragment`.
void expect_error(std::string_view text, int line, int column, const std::string& fragment,
                  const CsvOptions& options = {}) {
  try {
    parse_csv(text, "data.csv", options);
    FAIL() << "expected an error for: " << text;
  } catch (const Error& e) {
    const std::string message = e.what();
    if (line > 0) {
      EXPECT_EQ(message.rfind(fmt::format("data.csv:{}:{}: ", line, column), 0), 0u) << message;
    } else {
      EXPECT_EQ(message.rfind("data.csv: ", 0), 0u) << message;
    }
    EXPECT_NE(message.find(fragment), std::string::npos) << message;
  }
}

// Row r's fields, as strings.
std::vector<std::string> row(const CsvTable& t, std::size_t r) {
  std::vector<std::string> fields;
  for (std::size_t c = 0; c < t.columns(); ++c) fields.emplace_back(t.cell(r, c));
  return fields;
}

TEST(Csv, ReadsAHeaderAndRows) {
  const CsvTable t = parse_csv("a,b,c\n1,2,3\n4,5,6\n", "data.csv");
  EXPECT_EQ(t.header, (std::vector<std::string>{"a", "b", "c"}));
  ASSERT_EQ(t.rows(), 2u);
  EXPECT_EQ(row(t, 1), (std::vector<std::string>{"4", "5", "6"}));
  EXPECT_EQ(t.position(1, 2).line, 3u);
  EXPECT_EQ(t.position(1, 2).column, 5u);
}

// Column names lose their outer spaces, as values do: "amount, hour" names the columns
// amount and hour (predict found no column 'hour' in its own header). Names equal once
// trimmed are one name twice.
TEST(Csv, ColumnNamesAreTrimmedOfSpacesAndTabs) {
  const CsvTable t = parse_csv("amount, hour ,\" note\"\n1,2,3\n", "data.csv");
  EXPECT_EQ(t.header, (std::vector<std::string>{"amount", "hour", "note"}));
  expect_error("a, a\n1,2\n", 1, 3, "the column name 'a' appears twice (also column 1)");
  expect_error("a,  \n1,2\n", 1, 3, "column 2 has an empty name");
}

TEST(Csv, QuotedFieldsHoldDelimitersQuotesAndLineBreaks) {
  const CsvTable t =
      parse_csv("name,note\n\"Smith, J\",\"said \"\"hi\"\"\"\n\"multi\nline\",x\nlast,\"\"\n", "data.csv");
  ASSERT_EQ(t.rows(), 3u);
  EXPECT_EQ(t.cell(0, 0), "Smith, J");
  EXPECT_EQ(t.cell(0, 1), "said \"hi\"");
  EXPECT_EQ(t.cell(1, 0), "multi\nline");
  EXPECT_EQ(t.cell(1, 1), "x");
  EXPECT_EQ(t.position(2, 0).line, 5u) << "lines count the line break inside the quoted field";
  EXPECT_EQ(t.cell(2, 1), "");
}

TEST(Csv, CrlfBomAndEmptyLines) {
  const CsvTable t = parse_csv("\xEF\xBB\xBFx,y\r\n\r\n1,2\r\n\n3,4", "data.csv");
  EXPECT_EQ(t.header[0], "x");
  ASSERT_EQ(t.rows(), 2u);
  EXPECT_EQ(row(t, 1), (std::vector<std::string>{"3", "4"}));
  EXPECT_EQ(t.position(1, 0).line, 5u);
}

TEST(Csv, DetectsOrTakesTheDelimiter) {
  EXPECT_EQ(parse_csv("a;b;c\n1,5;2;3\n", "data.csv").delimiter, ';');
  EXPECT_EQ(parse_csv("a\tb\n1\t2\n", "data.csv").delimiter, '\t');
  EXPECT_EQ(parse_csv("a|b\n1|2\n", "data.csv").delimiter, '|');
  EXPECT_EQ(parse_csv("\"x,y\";z\n1;2\n", "data.csv").delimiter, ';') << "delimiters inside quotes do not count";
  EXPECT_EQ(parse_csv("single\n1\n", "data.csv").delimiter, ',');
  const CsvTable given = parse_csv("a;b,c\n1;2,3\n", "data.csv", {.delimiter = ','});
  EXPECT_EQ(given.header, (std::vector<std::string>{"a;b", "c"}));
}

TEST(Csv, EveryMalformedInputNamesLineAndColumn) {
  expect_error("", 0, 0, "empty");
  expect_error("\n\n\r\n", 0, 0, "empty");
  expect_error("a,b\n", 0, 0, "no data rows");
  expect_error("a,b\n1,2\n3\n", 3, 1, "expected 2 fields as in the header, found 1");
  expect_error("a,b\n1,2\n3,4,5\n", 3, 5, "expected 2 fields as in the header, found 3");
  expect_error("a,b\n1,\"open\n", 2, 3, "not closed");
  expect_error("a,b\n1,\"x\"y\n", 2, 6, "after a closing quote");
  expect_error("a,b\n1,x\"y\n", 2, 4, "quote inside an unquoted field");
  expect_error("a,,c\n1,2,3\n", 1, 3, "empty name");
  expect_error("a,b,a\n1,2,3\n", 1, 5, "appears twice");
}

// Names and categories go into JSON and the model file: text that is not UTF-8 is
// refused where it starts, at the byte's line and column (lines counted over CRLF, CR
// and line breaks inside quotes, as the parser counts them).
TEST(Csv, TextThatIsNotUtf8NamesItsByte) {
  const std::string expected = "expected UTF-8 text, found the byte 0x";
  expect_error("x0,c\xe9,label\n1,a,0\n", 1, 5, expected + "E9");          // Latin-1 é
  expect_error("a,b\r\n1,ok\r\n2,caf\xe9\r\n", 3, 6, expected + "E9");     // CRLF
  expect_error("a,b\r1,ok\r2,\xff\r", 3, 3, expected + "FF");              // CR
  expect_error("a,b\n1,\"two\nlines\"\n2,\x80\n", 4, 3, expected + "80");  // a line break in quotes
  expect_error("a,b\n1,\xc0\x80\n", 2, 3, expected + "C0");                // overlong
  expect_error("a,b\n1,\xed\xa0\x80\n", 2, 3, expected + "ED");            // a surrogate
  expect_error("a,b\n1,\xf4\x90\x80\x80\n", 2, 3, expected + "F4");        // above U+10FFFF
  expect_error("a,b\n1,x\xe2\x82", 2, 4, expected + "E2");                 // cut off by the end
  const CsvTable t = parse_csv("name,b\ncaf\xc3\xa9,\xe2\x82\xac\n\xf0\x9f\x98\x80,1\n", "data.csv");
  EXPECT_EQ(t.cell(0, 0), "caf\xc3\xa9");
  EXPECT_EQ(t.cell(1, 0), "\xf0\x9f\x98\x80");
}

TEST(Csv, AMissingFileIsAClearError) {
  try {
    read_csv("/nonexistent/data.csv");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/data.csv: cannot open"), std::string::npos) << e.what();
  }
}

// A file written field by field, each field's text and where it starts noted as it is
// written; the parser must find the same. Fields hold delimiters, quotes, line breaks,
// spaces and UTF-8, quoted where they must be and at random elsewhere; records end in LF
// or CRLF, the last one sometimes not at all, with empty lines between some.
TEST(Csv, EveryFieldsTextAndPositionAreWhereTheyWereWritten) {
  std::mt19937 random(7);
  const auto pick = [&](int n) { return static_cast<int>(random() % static_cast<unsigned>(n)); };
  const std::vector<std::string> pieces = {"a", "b", "7", "-1.5", " ", ",", "\"", "\n", "\xc3\xa9", "xyz"};
  for (int file = 0; file < 300; ++file) {
    const int columns = 1 + pick(5), rows = 1 + pick(12);
    std::string text;
    std::uint32_t line = 1, column = 1;
    const auto write = [&](std::string_view bytes) {
      for (std::size_t i = 0; i < bytes.size(); ++i) {
        text += bytes[i];
        if (bytes[i] == '\n') {
          ++line;
          column = 1;
        } else if (bytes[i] != '\r' || i + 1 == bytes.size() || bytes[i + 1] != '\n') {
          ++column;  // (a CR before LF starts no column of its own: the LF ends the line)
        }
      }
    };
    const auto end_line = [&] { write(pick(2) == 0 ? "\n" : "\r\n"); };
    for (int c = 0; c < columns; ++c) write(fmt::format("{}c{}", c > 0 ? "," : "", c));
    end_line();
    std::vector<std::vector<std::string>> expected_cells(static_cast<std::size_t>(rows));
    std::vector<std::vector<CsvPosition>> expected_positions(static_cast<std::size_t>(rows));
    for (int r = 0; r < rows; ++r) {
      if (pick(6) == 0) end_line();  // an empty line, skipped
      for (int c = 0; c < columns; ++c) {
        if (c > 0) write(",");
        std::string value;
        for (int k = pick(4); k > 0; --k) value += pieces[static_cast<std::size_t>(pick(10))];
        const bool must_quote = value.find_first_of(",\"\n") != std::string::npos || (columns == 1 && value.empty());
        expected_positions[static_cast<std::size_t>(r)].push_back({line, column});
        expected_cells[static_cast<std::size_t>(r)].push_back(value);
        if (!must_quote && pick(5) != 0) {
          write(value);
          continue;
        }
        write("\"");
        for (const char ch : value) {
          if (ch == '"') {
            write("\"\"");
          } else if (ch == '\n') {
            write(pick(2) == 0 ? "\n" : "\r\n");  // read as LF either way
          } else {
            write(std::string(1, ch));
          }
        }
        write("\"");
      }
      if (r + 1 < rows || pick(2) == 0) end_line();
    }
    const CsvTable t = parse_csv(text, "data.csv");
    ASSERT_EQ(t.rows(), static_cast<std::size_t>(rows)) << text;
    for (std::size_t r = 0; r < t.rows(); ++r) {
      for (std::size_t c = 0; c < t.columns(); ++c) {
        EXPECT_EQ(t.cell(r, c), expected_cells[r][c]) << "row " << r << " column " << c << " of\n" << text;
        EXPECT_EQ(t.position(r, c).line, expected_positions[r][c].line) << "row " << r << " column " << c;
        EXPECT_EQ(t.position(r, c).column, expected_positions[r][c].column) << "row " << r << " column " << c;
      }
    }
  }
}

// A pipe has no size to read ahead: it is read to its end all the same
// (glassnet train --data <(zcat data.csv.gz)).
TEST(Csv, AFileWithoutASizeIsReadToItsEnd) {
  const std::filesystem::path fifo = std::filesystem::temp_directory_path() / fmt::format("glassnet_csv_{}", getpid());
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::string text = "x,y\n";
  for (int r = 0; r < 20000; ++r) text += fmt::format("{},{}\n", r, r % 2);  // beyond a pipe's buffer
  std::thread writer([&] { std::ofstream(fifo, std::ios::binary) << text; });
  const CsvTable t = read_csv(fifo);
  writer.join();
  std::filesystem::remove(fifo);
  ASSERT_EQ(t.rows(), 20000u);
  EXPECT_EQ(t.cell(19999, 0), "19999");
  EXPECT_EQ(t.position(19999, 1).line, 20001u);
}

TEST(Csv, NoInputCrashesTheParser) {
  // Every prefix of a tricky file either parses or is an Error: never a crash.
  // (Any other exception escapes and fails the test; a crash fails it under ASan.)
  const std::string text = "\xEF\xBB\xBF\"a\",b\r\n\"1\"\"\",\"x\ny\"\r\n3,4\n";
  int parsed = 0, rejected = 0;
  for (std::size_t n = 0; n <= text.size(); ++n) {
    try {
      parse_csv(std::string_view(text).substr(0, n), "data.csv");
      ++parsed;
    } catch (const Error&) {
      ++rejected;
    }
  }
  const CsvTable full = parse_csv(text, "data.csv");
  ASSERT_EQ(full.rows(), 2u);
  EXPECT_EQ(full.cell(0, 0), "1\"");
  EXPECT_EQ(full.cell(0, 1), "x\ny");
  EXPECT_GT(parsed, 0);
  EXPECT_GT(rejected, 0);
}

}  // namespace
}  // namespace glassnet
