#include "glassnet/io/json_fields.hpp"

#include <gtest/gtest.h>

namespace glassnet {
namespace {

using Json = nlohmann::json;

// The message of the Error that `read` throws; empty when it throws none.
template <typename F>
std::string error_of(F&& read) {
  try {
    read();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

const Json kObject = Json::parse(R"({"n": 1.5, "i": 3, "b": true, "s": "x", "null": null,
                                     "names": ["a", "b"], "mixed": ["a", 1], "o": {}})");

TEST(JsonFields, ReadsEachTypeItNames) {
  const JsonFields f(kObject, "thing");
  EXPECT_EQ(f.number("n"), 1.5);
  EXPECT_EQ(f.number("i"), 3.0);
  EXPECT_EQ(f.integer("i"), 3);
  EXPECT_TRUE(f.boolean("b"));
  EXPECT_EQ(f.text("s"), "x");
  EXPECT_EQ(f.strings("names"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(f.nullable("null"), std::nullopt);
  EXPECT_EQ(f.nullable("n"), 1.5);
  EXPECT_EQ(f.optional_number("absent"), std::nullopt);
  EXPECT_EQ(f.optional_number("null"), std::nullopt);
  EXPECT_EQ(f.optional_number("n"), 1.5);
  EXPECT_TRUE(f.object("o").empty());
  EXPECT_TRUE(f.has("o"));
  EXPECT_FALSE(f.has("absent"));
}

TEST(JsonFields, NamesTheMemberAndWhatWasExpected) {
  const JsonFields f(kObject, "thing");
  EXPECT_EQ(error_of([&] { f.member("absent"); }), "thing: \"absent\" is missing");
  EXPECT_EQ(error_of([&] { f.number("s"); }), "thing: \"s\" is not a number");
  EXPECT_EQ(error_of([&] { f.number("null"); }), "thing: \"null\" is not a number");
  EXPECT_EQ(error_of([&] { f.nullable("s"); }), "thing: \"s\" is not a number");
  EXPECT_EQ(error_of([&] { f.optional_number("b"); }), "thing: \"b\" is not a number");
  EXPECT_EQ(error_of([&] { f.integer("n"); }), "thing: \"n\" is not an integer");
  EXPECT_EQ(error_of([&] { f.boolean("i"); }), "thing: \"i\" is not true or false");
  EXPECT_EQ(error_of([&] { f.text("i"); }), "thing: \"i\" is not a string");
  EXPECT_EQ(error_of([&] { f.strings("mixed"); }), "thing: \"mixed\" holds a value that is not a string");
  EXPECT_EQ(error_of([&] { f.array("o"); }), "thing: \"o\" is not an array");
  EXPECT_EQ(error_of([&] { f.object("names"); }), "thing: \"names\" is not an object");
  const Json array = Json::array();
  EXPECT_EQ(error_of([&] { (void)JsonFields(array, "thing"); }), "thing: not an object");
}

TEST(JsonFields, AnEmptyContextLeavesThePrefixOff) {
  const JsonFields f(kObject, "");
  EXPECT_EQ(error_of([&] { f.text("absent"); }), "\"absent\" is missing");
  EXPECT_EQ(std::string(f.error("a second \"run\" line").what()), "a second \"run\" line");
}

}  // namespace
}  // namespace glassnet
