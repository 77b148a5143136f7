#include "glassnet/io/config_file.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "glassnet/core/error.hpp"

namespace glassnet {
namespace {

std::string error_of(const std::string& text) {
  try {
    parse_config(text, "c.toml");
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ConfigFile, AByteOrderMarkIsSkipped) {
  const ConfigFile c = parse_config(
      "\xEF\xBB\xBF"
      "epochs = 3\n",
      "c.toml");
  ASSERT_EQ(c.entries.size(), 1u);
  EXPECT_EQ(c.entries[0].key, "epochs");
  EXPECT_EQ(c.entries[0].values, std::vector<std::string>{"3"});
}

TEST(ConfigFile, ValuesBecomeCommandLineTextInFileOrder) {
  const ConfigFile c = parse_config(
      "# options for train\n"
      "optimizer = \"sgd\"\n"
      "layers = [128, 64]\n"
      "lr = 3e-4\n"
      "batch_size = 32\n"
      "residual = true\n"
      "'val-split' = 0.25\n",
      "c.toml");
  ASSERT_EQ(c.entries.size(), 6u);
  EXPECT_EQ(c.entries[0].key, "optimizer");
  EXPECT_EQ(c.entries[0].values, std::vector<std::string>{"sgd"});
  EXPECT_EQ(c.entries[0].line, 2u);
  EXPECT_EQ(c.entries[1].values, (std::vector<std::string>{"128", "64"}));
  EXPECT_EQ(std::stod(c.entries[2].values.at(0)), 3e-4) << "the shortest text of the same double";
  EXPECT_EQ(c.entries[3].key, "batch-size") << "underscores stand for dashes";
  EXPECT_EQ(c.entries[3].values, std::vector<std::string>{"32"});
  EXPECT_EQ(c.entries[4].values, std::vector<std::string>{"true"});
  EXPECT_EQ(c.entries[5].key, "val-split");
  EXPECT_EQ(c.location(c.entries[5]), "c.toml:7:15");
}

TEST(ConfigFile, BadFilesAreErrorsWithTheirPosition) {
  EXPECT_NE(error_of("lr = \n").find("c.toml:1:"), std::string::npos) << error_of("lr = \n");
  EXPECT_NE(error_of("a = 1\na = 2\n").find("c.toml:2:"), std::string::npos) << error_of("a = 1\na = 2\n");
  EXPECT_NE(error_of("epochs = 3\n[train]\nlr = 1\n").find("'train' holds a table"), std::string::npos);
  EXPECT_NE(error_of("when = 1979-05-27\n").find("c.toml:1:8: 'when' holds a date or time"), std::string::npos)
      << error_of("when = 1979-05-27\n");
  EXPECT_NE(error_of("layers = [[1], [2]]\n").find("nested array"), std::string::npos);
  EXPECT_NE(error_of("x = \"\\q\"\n").find("c.toml:1:"), std::string::npos);
  try {
    read_config("/nonexistent/glassnet.toml");
    FAIL() << "a missing file is an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/glassnet.toml: cannot open"), std::string::npos);
  }
  try {  // (it read as an empty file: the defaults, silently)
    read_config("/tmp");
    FAIL() << "a directory is an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/tmp: that is a directory; expected a config file"), std::string::npos)
        << e.what();
  }
}

// A table name that starts with a character no key starts with fails an assertion
// inside toml++ 3.3 (the config fuzzer's finding, in a build with assertions on):
// glassnet includes toml++ with its assertions off (io/toml.hpp), so each is a parse
// error at the character.
TEST(ConfigFile, ATableNameThatNoKeyStartsIsAParseError) {
  for (const auto& [text, column] : {std::pair{"[=a]\n", 2}, {"[[#]]\n", 3}, {"[ ,]\n", 3}, {"x = 1\n[`table]\n", 2}}) {
    const int line = std::string_view(text).starts_with("x") ? 2 : 1;
    EXPECT_NE(error_of(text).find(fmt::format("c.toml:{}:{}: Error while parsing key", line, column)),
              std::string::npos)
        << text << " -> " << error_of(text);
  }
}

// toml++ 3.3 has undefined behaviour on some non-ASCII characters outside strings
// (the config fuzzer's finding): such input is rejected before it reaches toml++.
TEST(ConfigFile, NonAsciiTextOnlyInsideStringsAndComments) {
  const ConfigFile ok = parse_config("data = \"café.csv\"  # données\ntarget = 'étiquette'\n", "c.toml");
  ASSERT_EQ(ok.entries.size(), 2u);
  EXPECT_EQ(ok.entries[0].values, std::vector<std::string>{"café.csv"});
  EXPECT_EQ(ok.entries[1].values, std::vector<std::string>{"étiquette"});
  EXPECT_EQ(error_of("layers = [128, 6\xcc\x99]\n"), "c.toml:1:17: a non-ASCII character outside a quoted string or comment");
  EXPECT_EQ(error_of("lr = 0.1\n\xc3\xa9 = 1\n"), "c.toml:2:1: a non-ASCII character outside a quoted string or comment");
  EXPECT_NE(error_of("x = \"\"\"a\\\n  \xc3\xa9\"\"\"\n").find("c.toml:2:3: non-ASCII text in a file with multi-line"),
            std::string::npos)
      << error_of("x = \"\"\"a\\\n  \xc3\xa9\"\"\"\n");
  EXPECT_EQ(error_of("x = \"a \\\" still a string \xc3\xa9\"\n"), "(no error)") << "an escaped quote does not end it";
}

}  // namespace
}  // namespace glassnet
