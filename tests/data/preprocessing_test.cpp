// Typed columns, missing values, labels and task inference, features and splits.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>

#include "glassnet/core/error.hpp"
#include "glassnet/core/memory.hpp"
#include "glassnet/data/feature_encoder.hpp"
#include "glassnet/data/features.hpp"
#include "glassnet/data/input_rows.hpp"
#include "glassnet/data/labels.hpp"
#include "glassnet/data/split.hpp"
#include "glassnet/data/table.hpp"

namespace glassnet {
namespace {

Table table_of(std::string_view text) { return make_table(parse_csv(text, "data.csv")); }

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Table, NumericAndCategoricalColumns) {
  const Table t = table_of("amount,country,rate\n1200.5,FR,0.01\n-3,DE,1e-3\n7, FR ,0.5\n");
  ASSERT_EQ(t.columns.size(), 3u);
  EXPECT_EQ(t.columns[0].kind, ColumnKind::numeric);
  EXPECT_EQ(t.columns[0].numbers, (std::vector<double>{1200.5, -3, 7}));
  EXPECT_EQ(t.columns[1].kind, ColumnKind::categorical);
  EXPECT_EQ(t.columns[1].text(2), "FR") << "surrounding spaces are trimmed";
  EXPECT_EQ(t.columns[2].numbers[1], 1e-3) << "from_chars parses exactly";
  EXPECT_EQ(t.find("rate"), 2);
  EXPECT_EQ(t.find("nope"), -1);
  const auto positions = column_positions(t);
  EXPECT_EQ(positions.size(), 3u);
  EXPECT_EQ(positions.at("amount"), 0);
  EXPECT_EQ(positions.at("rate"), 2);
  EXPECT_FALSE(positions.contains("nope"));
}

// A text column holds each distinct value once and a code per row: 10,000 rows of three
// long values are three strings, not 10,000.
TEST(Table, TextIsHeldOnceWithACodePerRow) {
  const std::vector<std::string> values = {std::string(50, 'a'), std::string(60, 'b'), std::string(70, 'c')};
  std::string csv = "kind,y\n";
  for (int r = 0; r < 10'000; ++r) csv += (r == 7 ? std::string("NA") : values[(r * 7) % 3]) + ",1\n";
  const Table t = table_of(csv);
  const Column& kind = t.columns[0];
  ASSERT_EQ(kind.kind, ColumnKind::categorical);
  EXPECT_EQ(kind.categories, (std::vector<std::string>{values[0], values[1], values[2]})) << "in the order first read";
  ASSERT_EQ(kind.codes.size(), 10'000u);
  EXPECT_EQ(kind.codes[1], 1u);  // (1 × 7) % 3
  EXPECT_EQ(kind.text(2), values[2]);
  EXPECT_TRUE(kind.missing[7]);
  EXPECT_EQ(kind.codes[7], kMissingCode);
  EXPECT_EQ(kind.text(7), "") << "a missing value reads as empty text";
  // The values take a code and a missing bit a row, and their three strings (the
  // positions aside): 41.5 kB, where a string a row took 0.9 MB.
  Table values_alone = t;
  values_alone.columns.resize(1);
  values_alone.columns[0].positions = {};
  EXPECT_LT(values_alone.bytes(), 10'000u * sizeof(std::uint32_t) + 10'000u / 8 + 1'000u);
}

// Imputing a text column fills its missing rows with the category most frequent in the
// training rows (ties: the first in text order), which other tables are filled with
// too, whether or not they hold it.
TEST(Table, MissingTextIsFilledWithTheMostFrequentCategoryOfTheTrainingRows) {
  Table t = table_of("c,y\nb,0\na,1\n,0\nb,1\na,0\nz,1\nz,0\nz,1\n");
  const std::vector<Index> training = {0, 1, 2, 3, 4};  // a and b twice each; z only outside
  const std::vector<Index> skip = {1};
  const ImputedValues fills = impute(t, Imputation::mean, training, skip);
  ASSERT_EQ(fills.values.size(), 1u);
  EXPECT_EQ(fills.values[0].value, "a");
  EXPECT_EQ(fills.values[0].kind, ColumnKind::categorical);
  const Column& c = t.columns[0];
  EXPECT_FALSE(c.any_missing());
  EXPECT_EQ(c.text(2), "a");
  EXPECT_EQ(c.codes[2], c.codes[1]) << "the fill is the category already there";
  EXPECT_EQ(c.categories.size(), 3u);
  Table other = table_of("c,y\nz,0\n,1\n");
  impute_like(other, fills, 1);
  EXPECT_EQ(other.columns[0].text(1), "a");
  EXPECT_EQ(other.columns[0].categories, (std::vector<std::string>{"z", "a"})) << "a category added by the fill";
  // No value in the training rows: nothing to impute from.
  Table empty = table_of("c,y\n,0\n,1\nq,0\n");
  EXPECT_EQ(error_of([&] {
              impute(empty, Imputation::mean, {0, 1}, skip);
            }),
            "data.csv: column 'c' has no values in the training rows to impute from");
}

// A feature transform finds its columns by name in any order, as the model file lists
// them (a wide table's columns are looked up through column_positions).
TEST(Features, ColumnsAreFoundByNameInAnyOrder) {
  const Table train = table_of("a,b,c,y\n1,10,100,0\n2,20,200,1\n3,30,300,0\n");
  const FeatureTransform f = fit_features(train, train.find("y"), {0, 1, 2}, {.standardize = false});
  const Matrix x = f.transform(table_of("y,c,a,b\n0,300,3,30\n"));
  ASSERT_EQ(x.cols(), 3);
  EXPECT_EQ(x(0, 0), 3);
  EXPECT_EQ(x(0, 1), 30);
  EXPECT_EQ(x(0, 2), 300);
}

TEST(Table, ANonNumericValueInANumericColumnIsAnErrorWithItsPosition) {
  const std::string message = error_of([] { table_of("a,b\n1,x\n2,y\n3x,z\n4,w\n"); });
  EXPECT_EQ(message.rfind("data.csv:4:1: expected a number in numeric column 'a'", 0), 0u) << message;
  EXPECT_NE(message.find("'3x'"), std::string::npos) << message;
  // A number too large for a double says so; a long value is quoted in part.
  const std::string huge = error_of([] { table_of("a\n1\n2\n-1e400\n"); });
  EXPECT_NE(huge.find("found '-1e400', beyond the range of a double"), std::string::npos) << huge;
  const std::string many_digits = error_of([] { table_of("a\n1\n2\n" + std::string(400, '9') + ".5\n"); });
  EXPECT_NE(many_digits.find("beyond the range of a double"), std::string::npos) << many_digits;
  // One too small for a double is a number all the same: zero, as strtod reads it.
  const Table tiny = table_of("a\n1\n1e-400\n-2.5e-999\n0." + std::string(400, '0') + "1\n");
  EXPECT_EQ(tiny.columns[0].kind, ColumnKind::numeric);
  EXPECT_EQ(tiny.columns[0].numbers, (std::vector<double>{1, 0, 0, 0}));
  EXPECT_TRUE(std::signbit(tiny.columns[0].numbers[2]));
  const std::string digits(5000, '7');
  const std::string long_value = error_of([&] { table_of("a\n1\n2\n" + digits + "x\n"); });
  EXPECT_NE(long_value.find("found '" + digits.substr(0, 40) + "… (5001 characters)'"), std::string::npos);
  EXPECT_LT(long_value.size(), 200u) << long_value;
  // Control characters are escaped: a NUL ended the message there, an escape sequence
  // reached the terminal.
  const std::string nul = error_of([] { table_of(std::string("a\n1\n2\n3\n1\0x\n", 12)); });
  EXPECT_NE(nul.find("found '1\\x00x'"), std::string::npos) << nul;
  const std::string escape = error_of([] { table_of("a\n1\n2\n3\n1\x1b[31mRED\n"); });
  EXPECT_NE(escape.find("found '1\\x1b[31mRED'"), std::string::npos) << escape;
}

// Positions of values in and after a record with a quoted line break: kept for that
// record, computed from the fields' lengths for the others.
TEST(Table, PositionsHoldInAndAfterAQuotedRecord) {
  const std::string after = error_of([] { table_of("a,b\n\"x\ny\",1\nz,2\n\"w\",3\nv,\"4\"\n\t u ,oops\n"); });
  EXPECT_EQ(after.rfind("data.csv:7:6: expected a number in numeric column 'b' (4 of its 5 values are numbers)", 0), 0u)
      << after;
  const std::string inside = error_of([] { table_of("a,b,c\nq,2,3\n\"two\nlines\",1,x\nr,5,6\n"); });
  EXPECT_EQ(inside.rfind("data.csv:4:10: expected a number in numeric column 'c'", 0), 0u) << inside;
  const Table t = table_of("a,b\n\"x\"\"\",NA\nq,2\n");
  const auto missing = find_missing(t);
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0].first_lines, (std::vector<std::uint32_t>{2}));
  EXPECT_EQ(value_location(t.source, t.columns[1], 0), "data.csv:2:7");
  EXPECT_EQ(value_location(t.source, t.columns[1], 1), "data.csv:3:3");
}

TEST(Table, MissingValuesAndInfinitiesAreFoundWithTheirLines) {
  const Table t = table_of("a,b,c\n1,x,2\nNA,,inf\n3,?,-Infinity\nnan,y,4\nnull,z,5\n");
  EXPECT_TRUE(std::isnan(t.columns[0].numbers[1]));
  const auto missing = find_missing(t);
  ASSERT_EQ(missing.size(), 3u);
  EXPECT_EQ(missing[0].name, "a");
  EXPECT_EQ(missing[0].count, 3);
  EXPECT_EQ(missing[0].first_lines, (std::vector<std::uint32_t>{3, 5, 6}));
  EXPECT_EQ(missing[1].count, 2);
  EXPECT_EQ(missing[2].name, "c");
  EXPECT_EQ(missing[2].first_lines, (std::vector<std::uint32_t>{3, 4}));
  const std::string text = describe_missing(t, missing);
  EXPECT_NE(text.find("column 'a': 3 (lines 3, 5, 6)"), std::string::npos) << text;
  EXPECT_NE(text.find("--impute"), std::string::npos) << text;
  EXPECT_TRUE(is_missing_marker(" N/A "));
  EXPECT_FALSE(is_missing_marker("0"));
}

TEST(Labels, TaskInference) {
  EXPECT_EQ(fit_labels(table_of("y\nfraud\nok\nok\n").columns[0], "d").task, Task::binary);
  EXPECT_EQ(fit_labels(table_of("y\n0\n1\n1\n").columns[0], "d").task, Task::binary);
  EXPECT_EQ(fit_labels(table_of("y\n0\n1\n2\n3\n").columns[0], "d").task, Task::multiclass);
  EXPECT_EQ(fit_labels(table_of("y\ncat\ndog\nemu\n").columns[0], "d").task, Task::multiclass);
  EXPECT_EQ(fit_labels(table_of("y\n0.5\n1.5\n2.25\n").columns[0], "d").task, Task::regression);
  std::string many = "y\n";
  for (int i = 0; i < 30; ++i) many += std::to_string(i) + "\n";
  EXPECT_EQ(fit_labels(table_of(many).columns[0], "d").task, Task::regression);
  EXPECT_EQ(fit_labels(table_of(many).columns[0], "d", Task::multiclass).classes.size(), 30u);
  // 30 text labels: too many to take as classes unasked, and text is no regression target.
  std::string words = "y\n";
  for (int i = 0; i < 30; ++i) words += fmt::format("w{}\n", i);
  const std::string inferred = error_of([&] { fit_labels(table_of(words).columns[0], "d.csv"); });
  EXPECT_NE(inferred.find("30 distinct labels"), std::string::npos) << inferred;
  EXPECT_NE(inferred.find("use --task multiclass"), std::string::npos) << inferred;
  EXPECT_EQ(fit_labels(table_of(words).columns[0], "d", Task::multiclass).classes.size(), 30u);
  const std::string asked = error_of([&] { fit_labels(table_of(words).columns[0], "d.csv", Task::regression); });
  EXPECT_NE(asked.find("regression needs a numeric target"), std::string::npos) << asked;
}

TEST(Labels, EncodingKeepsTheUsersLabels) {
  const Table t = table_of("y\nok\nfraud\nok\n");
  const LabelEncoding e = fit_labels(t.columns[0], "data.csv");
  EXPECT_EQ(e.classes, (std::vector<std::string>{"fraud", "ok"}));
  const Matrix y = e.encode(t.columns[0], "data.csv");
  EXPECT_EQ(y(0, 0), 1);
  EXPECT_EQ(y(1, 0), 0);
  const Table numbers = table_of("y\n10\n2\n10\n");
  EXPECT_EQ(fit_labels(numbers.columns[0], "d").classes, (std::vector<std::string>{"2", "10"})) << "numeric order";
  const std::string unseen = error_of([&] { e.encode(table_of("y\nok\nmaybe\n").columns[0], "new.csv"); });
  EXPECT_EQ(unseen.rfind("new.csv:3:1: the label 'maybe' was not seen", 0), 0u) << unseen;
}

// -0 and 0 are one value, so one class, whichever comes first (the second was "not seen").
TEST(Labels, MinusZeroAndZeroAreOneClass) {
  for (const char* csv : {"y\n-0\n1\n0\n", "y\n0\n1\n-0.0\n"}) {
    const Table t = table_of(csv);
    const LabelEncoding e = fit_labels(t.columns[0], "d");
    EXPECT_EQ(e.classes, (std::vector<std::string>{"0", "1"})) << csv;
    const Matrix y = e.encode(t.columns[0], "d");
    EXPECT_EQ(y(0, 0), 0) << csv;
    EXPECT_EQ(y(2, 0), 0) << csv;
  }
  const LabelEncoding older{Task::binary, {"-0", "1"}};  // a model of before: its class "-0" takes 0 and -0
  const Matrix y = older.encode(table_of("y\n0\n-0\n1\n").columns[0], "d");
  EXPECT_EQ(y(0, 0), 0);
  EXPECT_EQ(y(1, 0), 0);
  EXPECT_EQ(y(2, 0), 1);
}

TEST(Labels, BadTargetsAreClearErrors) {
  EXPECT_NE(error_of([] { fit_labels(table_of("y\n1\n1\n1\n").columns[0], "data.csv"); }).find("constant"),
            std::string::npos);
  const std::string three = error_of([] { fit_labels(table_of("y\na\nb\nc\n").columns[0], "data.csv", Task::binary); });
  EXPECT_NE(three.find("a binary task needs exactly 2 labels"), std::string::npos) << three;
  EXPECT_NE(three.find("found 3 (a, b, c)"), std::string::npos) << three;
  const std::string missing = error_of([] { fit_labels(table_of("y,x\n1,2\n,3\n0,1\n").columns[0], "data.csv"); });
  EXPECT_EQ(missing.rfind("data.csv:3:1: the target column 'y' has a missing value", 0), 0u) << missing;
  EXPECT_NE(
      error_of([] { fit_labels(table_of("y\na\nb\nc\n").columns[0], "d", Task::regression); }).find("numeric target"),
      std::string::npos);
  // A regression target a float cannot hold (it reached the loss as inf, with no line).
  if constexpr (sizeof(Scalar) == sizeof(float)) {
    const Table far = table_of("x,y\n1,2.5\n2,1e300\n3,0.5\n");
    const LabelEncoding regression = fit_labels(far.columns[1], "data.csv", Task::regression);
    EXPECT_NE(error_of([&] {
                regression.encode(far.columns[1], "data.csv");
              }).find("data.csv:3:3: the target 1e+300 in column 'y' is beyond the largest value"),
              std::string::npos);
  }
}

TEST(Features, StandardisedOnTrainingRowsAndOneHotEncoded) {
  const Table t = table_of("amount,country,const,y\n1,FR,5,0\n3,DE,5,1\n5,FR,5,0\n100,US,5,1\n");
  const std::vector<Index> train{0, 1, 2};  // row 3 is not training data
  const FeatureTransform f = fit_features(t, t.find("y"), train, {.standardize = true});
  EXPECT_EQ(f.width(), 1 + 2 + 1);  // amount, country=FR, country=DE, const
  EXPECT_EQ(f.input_names(), (std::vector<std::string>{"amount", "country=FR", "country=DE", "const"}));
  EXPECT_DOUBLE_EQ(f.columns[0].mean, 3.0);
  EXPECT_DOUBLE_EQ(f.columns[0].stddev, std::sqrt(8.0 / 3.0));
  Index unseen = 0;
  const Matrix x = f.transform(t, &unseen);
  EXPECT_EQ(unseen, 1) << "US was not in the training rows";
  EXPECT_NEAR(x(0, 0), -2.0 / std::sqrt(8.0 / 3.0), 1e-6);
  EXPECT_EQ(x.row(3).segment(1, 2).sum(), 0) << "an unseen category is all zeros";
  EXPECT_EQ(x(0, 1), 1);
  EXPECT_EQ(x(1, 2), 1);
  EXPECT_EQ(x.col(3).cwiseAbs().maxCoeff(), 0) << "a constant column maps to 0, no division by zero";
  const FeatureTransform raw = fit_features(t, t.find("y"), train, {.standardize = false});
  EXPECT_EQ(raw.transform(t)(3, 0), 100);
  // Prediction files may reorder columns and omit the target; a missing feature is an error.
  const Table reordered = table_of("country,const,amount\nDE,5,3\n");
  EXPECT_NEAR(f.transform(reordered)(0, 0), 0.0, 1e-12);
  EXPECT_NE(error_of([&] { f.transform(table_of("country,const\nDE,5\n")); }).find("'amount' is missing"),
            std::string::npos);
}

TEST(Features, AMissingValueIsAnErrorWithItsLinesUntilFilled) {
  // read_csv + make_table + transform: an empty cell would reach the network as NaN, an
  // empty category as none at all.
  const Table train = table_of("amount,country,y\n1,FR,0\n3,DE,1\n5,FR,0\n");
  FeatureTransform f = fit_features(train, train.find("y"), {0, 1, 2}, {.standardize = true});
  Table gaps = table_of("amount,country\n1,FR\n,DE\n3,\n4,FR\n");
  const std::string error = error_of([&] { f.transform(gaps); });
  EXPECT_NE(error.find("data.csv: missing or infinite values; column 'amount': 1 (line 3); column 'country': 1 "
                       "(line 4). Fill them first (FeatureTransform::fill_missing)"),
            std::string::npos)
      << error;
  // Filled with the values a model trained with imputation keeps, it transforms.
  f.columns[0].fill = "2";
  f.columns[1].fill = "FR";
  f.fill_missing(gaps);
  const Matrix x = f.transform(gaps);
  EXPECT_TRUE(x.allFinite());
  EXPECT_NEAR(x(1, 0), (2.0 - 3.0) / std::sqrt(8.0 / 3.0), 1e-6);
  EXPECT_EQ(x(2, 1), 1) << "country=FR";
}

TEST(Features, AValueTooLargeForTheInputsIsAnErrorWithItsPosition) {
  // Standardised (std 0.82), 1.7e308 leaves even a double's range; 1e200 in the training
  // rows makes the column's squares overflow.
  const Table wide = table_of("a,y\n1,0\n2,1\n3,0\n");
  const FeatureTransform f = fit_features(wide, 1, {0, 1, 2}, {.standardize = true});
  EXPECT_NE(error_of([&] {
              f.transform(table_of("a\n1\n1.7e308\n"));
            }).find("data.csv:3:1: 1.7e+308 in column 'a' is too large"),
            std::string::npos);
  const Table huge = table_of("a,y\n1,0\n-1e200,1\n3,0\n");
  EXPECT_NE(error_of([&] {
              fit_features(huge, 1, {0, 1, 2}, {.standardize = true});
            }).find("data.csv:3:1: -1e+200 in column 'a' is too large: the column's mean and spread overflow"),
            std::string::npos);
  // Unstandardised, anything beyond the largest float (a double build takes every finite value).
  if constexpr (sizeof(Scalar) == sizeof(float)) {
    const FeatureTransform raw = fit_features(wide, 1, {0, 1, 2}, {.standardize = false});
    EXPECT_NE(error_of([&] { raw.transform(table_of("a\n1e39\n")); }).find("data.csv:2:1: 1e+39 in column 'a'"),
              std::string::npos);
  }
}

// --ignore: the columns named are no inputs, and a file without them transforms; a name
// that is no column, the target, or every feature is an Error.
TEST(Features, IgnoredColumnsAreLeftOut) {
  const Table t = table_of("id,amount,country,y\nA,1,FR,0\nB,3,DE,1\nC,5,FR,0\n");
  const FeatureTransform f = fit_features(t, t.find("y"), {0, 1, 2}, {.standardize = false, .ignore = {"id"}});
  EXPECT_EQ(f.input_names(), (std::vector<std::string>{"amount", "country=FR", "country=DE"}));
  const Matrix x = f.transform(table_of("country,amount\nDE,7\n"));
  ASSERT_EQ(x.cols(), 3);
  EXPECT_EQ(x(0, 0), 7);
  EXPECT_EQ(x(0, 2), 1);
  EXPECT_EQ(fit_features(t, t.find("y"), {0, 1, 2}, {.standardize = false, .ignore = {"id", "country"}}).input_names(),
            (std::vector<std::string>{"amount"}));
  EXPECT_NE(error_of([&] {
              fit_features(t, t.find("y"), {0, 1, 2}, {.standardize = false, .ignore = {"ID"}});
            }).find("data.csv: no column 'ID' to --ignore (columns: id, amount, country, y)"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              fit_features(t, t.find("y"), {0, 1, 2}, {.standardize = false, .ignore = {"y"}});
            }).find("data.csv: --ignore: 'y' is the target column"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              fit_features(t, t.find("y"), {0, 1, 2}, {.standardize = false, .ignore = {"id", "amount", "country"}});
            }).find("no feature columns besides the target and those --ignore leaves out"),
            std::string::npos);
}

// A categorical column with a value of its own in nearly every training row is refused
// before it is one-hot encoded, naming where it starts and the option that leaves it
// out; kIdentifierValues and kIdentifierShare are the edges.
TEST(Features, AnIdentifierColumnIsRefusedWithTheOptionThatLeavesItOut) {
  // `rows` rows, the first `distinct` of them each a value of their own, the rest one value.
  const auto table = [](Index rows, Index distinct) {
    std::string csv = "x,id,y\n";
    for (Index i = 0; i < rows; ++i)
      csv += fmt::format("{},{},{}\n", i % 7, i < distinct ? fmt::format("T{:04}", i) : "T", i % 2);
    return table_of(csv);
  };
  const auto all_rows = [](Index n) {
    std::vector<Index> rows(static_cast<std::size_t>(n));
    for (Index i = 0; i < n; ++i) rows[static_cast<std::size_t>(i)] = i;
    return rows;
  };
  const Table ids = table(kIdentifierValues, kIdentifierValues);
  EXPECT_EQ(error_of([&] { fit_features(ids, 2, all_rows(kIdentifierValues), {.standardize = true}); }),
            "data.csv:2:3: column 'id' holds 100 different values in 100 training rows ('T0000', 'T0001', …): an "
            "identifier, not a category; one-hot encoded, it would be 100 inputs that rows outside training never "
            "share. Leave it out with --ignore id");
  EXPECT_EQ(fit_features(ids, 2, all_rows(kIdentifierValues), {.standardize = true, .ignore = {"id"}}).width(), 1);
  // One value fewer than kIdentifierValues: a category however many rows it has alone.
  const Table fewer = table(kIdentifierValues - 1, kIdentifierValues - 1);
  EXPECT_EQ(fit_features(fewer, 2, all_rows(kIdentifierValues - 1), {.standardize = true}).width(),
            1 + (kIdentifierValues - 1));
  // 200 rows: 180 values (kIdentifierShare of them) are an identifier, 179 not (the
  // shared value counts as one).
  EXPECT_EQ(fit_features(table(200, 178), 2, all_rows(200), {.standardize = true}).width(), 1 + 179);
  EXPECT_NE(error_of([&] {
              fit_features(table(200, 179), 2, all_rows(200), {.standardize = true});
            }).find("holds 180 different values in 200 training rows"),
            std::string::npos);
  // Dates or times are named as such, with the numbers to write instead.
  std::string dated = "when,y\n";
  for (Index i = 0; i < 150; ++i)
    dated += fmt::format("2024-{:02}-{:02}T{:02}:00Z,{}\n", 1 + i / 28, 1 + i % 28, i % 24, i % 2);
  const Table dates = table_of(dated);
  EXPECT_EQ(error_of([&] { fit_features(dates, 1, all_rows(150), {}); }),
            "data.csv:2:1: column 'when' holds 150 different dates or times in 150 training rows ('2024-01-01T00:00Z', "
            "'2024-01-02T01:00Z', …): text to glassnet, which reads no dates; one-hot encoded, it would be 150 inputs "
            "that rows outside training never share. Leave it out with --ignore when, or write what matters of it (the "
            "day of the week, the hour, the days since an event) as numbers in columns of their own");
  // Counted over the training rows: the same column fitted on its repeated rows is a category.
  std::vector<Index> repeated = all_rows(200);
  repeated.erase(repeated.begin(), repeated.begin() + 100);
  EXPECT_EQ(fit_features(table(200, 110), 2, repeated, {.standardize = true}).width(), 1 + 11);
}

// --max-categories: a text column keeps its most frequent categories (ties to the first
// seen), in the order first seen, and one input for the rest, unseen ones included.
TEST(Features, BeyondMaxCategoriesTheRarestShareOneInput) {
  // Counts: B 1, A 5, C 3, D 3, E 1 (first seen in that order).
  const Table t = table_of(
      "x,c,y\n1,B,0\n2,A,1\n3,C,0\n4,D,1\n5,A,0\n6,E,1\n7,A,0\n8,C,1\n9,D,0\n"
      "10,A,1\n11,C,0\n12,D,1\n13,A,0\n");
  std::vector<Index> rows(13);
  std::iota(rows.begin(), rows.end(), Index{0});
  const FeatureTransform f = fit_features(t, 2, rows, {.max_categories = 3});
  EXPECT_EQ(f.input_names(), (std::vector<std::string>{"x", "c=A", "c=C", "c=(other)"}));
  Index unseen = 0;
  const Matrix x = f.transform(table_of("x,c\n0,B\n0,A\n0,Z\n0,D\n"), &unseen);
  EXPECT_EQ(x.rightCols(3), (Matrix(4, 3) << 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 1).finished());
  EXPECT_EQ(unseen, 0) << "an unseen category has the (other) input";
  EXPECT_EQ(fit_features(t, 2, rows, {.max_categories = 4}).input_names(),
            (std::vector<std::string>{"x", "c=A", "c=C", "c=D", "c=(other)"}));
  EXPECT_EQ(fit_features(t, 2, rows, {.max_categories = 5}).input_names(),
            (std::vector<std::string>{"x", "c=B", "c=A", "c=C", "c=D", "c=E"}))
      << "as many categories as allowed: each its own input, no (other)";
  EXPECT_NE(error_of([&] { fit_features(t, 2, rows, {.max_categories = 1}); }).find("expected 2 or more"),
            std::string::npos);
}

// A numeric feature column is a row number when it counts the file's rows, one more on
// each, over kRowNumberRows rows or more, none missing.
TEST(Features, AColumnThatCountsTheRowsIsARowNumber) {
  const auto table = [](Index rows, const std::function<std::string(Index)>& value) {
    std::string csv = "n,x,y\n";
    for (Index i = 0; i < rows; ++i) csv += fmt::format("{},{},{}\n", value(i), (i * 7) % 5, i % 2);
    return table_of(csv);
  };
  const auto found = [](const Table& t, const FeatureOptions& options = {}) {
    std::vector<Index> rows(static_cast<std::size_t>(t.rows()));
    std::iota(rows.begin(), rows.end(), Index{0});
    std::vector<std::string> names;
    for (const RowNumberColumn& c : row_number_columns(t, fit_features(t, 2, rows, options))) {
      names.push_back(fmt::format("{} {:g}…{:g}", c.name, c.first, c.last));
    }
    return names;
  };
  const auto n = [](Index i) { return std::to_string(i); };
  EXPECT_EQ(found(table(kRowNumberRows, n)), std::vector<std::string>{"n 0…19"});
  EXPECT_EQ(found(table(30, [](Index i) { return std::to_string(i - 5); })), std::vector<std::string>{"n -5…24"});
  EXPECT_TRUE(found(table(30, n), {.ignore = {"n"}}).empty()) << "not a feature";
  EXPECT_TRUE(found(table(kRowNumberRows - 1, n)).empty()) << "too few rows to tell";
  EXPECT_TRUE(found(table(30, [](Index i) { return std::to_string(2 * i); })).empty()) << "steps of 2";
  EXPECT_TRUE(found(table(30, [](Index i) { return std::to_string(i == 12   ? 13
                                                                  : i == 13 ? 12
                                                                            : i); })).empty())
      << "two rows swapped";
  EXPECT_TRUE(found(table(30, [](Index i) { return fmt::format("r{}", i); })).empty()) << "text";
  {
    const Table gap = table(30, [](Index i) { return i == 9 ? std::string() : std::to_string(i); });
    std::vector<Index> rows(30);
    std::iota(rows.begin(), rows.end(), Index{0});
    EXPECT_TRUE(row_number_columns(gap, fit_features(table(30, n), 2, rows, {})).empty()) << "a value missing";
  }
  EXPECT_EQ(found(table(30, [](Index i) { return fmt::format("{}.5", i); })), std::vector<std::string>{"n 0.5…29.5"})
      << "from any start";
}

// A text feature column is a column of dates when kDateCategories categories or more
// all read as dates or times.
TEST(Features, ATextColumnOfDatesOrTimesIsFound) {
  const auto found = [](Index distinct, const std::function<std::string(Index)>& value, Index rows = 200) {
    std::string csv = "when,x,y\n";
    for (Index i = 0; i < rows; ++i) csv += fmt::format("{},{},{}\n", value(i % distinct), (i * 7) % 5, i % 2);
    const Table t = table_of(csv);
    std::vector<Index> all(static_cast<std::size_t>(t.rows()));
    std::iota(all.begin(), all.end(), Index{0});
    std::vector<std::string> names;
    for (const DateColumn& c : date_columns(fit_features(t, 2, all, {}))) {
      names.push_back(fmt::format("{} {} {} {}", c.name, c.dates, c.first_seen, c.second_seen));
    }
    return names;
  };
  const auto day = [](Index i) { return fmt::format("2024-03-{:02}", i + 1); };
  EXPECT_EQ(found(kDateCategories, day), std::vector<std::string>{"when 20 2024-03-01 2024-03-02"});
  EXPECT_TRUE(found(kDateCategories - 1, day).empty()) << "too few dates";
  EXPECT_EQ(found(25, [](Index i) { return fmt::format("{:02}/03/2024 14:{:02}", i + 1, i); }).size(), 1u);
  EXPECT_EQ(found(30, [](Index i) { return fmt::format("10:{:02}:00", i); }).size(), 1u) << "times";
  EXPECT_TRUE(found(25, [&](Index i) { return i == 24 ? std::string("unknown") : day(i); }).empty())
      << "a category that is no date";
  EXPECT_TRUE(found(25, [](Index i) { return fmt::format("store-{}", i); }).empty()) << "text";
  EXPECT_TRUE(found(25, [](Index i) { return fmt::format("{}", 20240301 + i); }).empty()) << "numbers";
}

// The inputs are checked against the memory available before they are made: a numeric
// input's value a row, a text column's 4-byte code a row.
TEST(Features, InputsLargerThanTheMemoryAvailableAreRefusedBeforeTheyAreMade) {
  // A text column is one value a row however many categories it has (InputRows).
  const Table text = table_of("zip,amount,y\nz75001,1,0\nz10115,2,1\nz75001,3,0\nz94103,4,1\n");
  const FeatureTransform f = fit_features(text, 2, {0, 1, 2, 3}, {.standardize = true});
  ASSERT_EQ(f.width(), 4);  // 3 zips and the amount
  const std::uint64_t bytes = 1000 * (sizeof(Scalar) + sizeof(std::uint32_t));
  EXPECT_NO_THROW(check_inputs_fit(f, 1000, bytes, "data.csv"));
  EXPECT_EQ(error_of([&] { check_inputs_fit(f, 1000, bytes - 1, "data.csv"); }),
            fmt::format("data.csv: the inputs would take {} (1000 rows × 1 numeric input and 1 text column), more "
                        "than the {} of memory available",
                        format_bytes(static_cast<double>(bytes)), format_bytes(static_cast<double>(bytes - 1))));
}

// The split's parts are transformed from their rows alone: each row as the whole table's
// transform has it, numeric and one-hot, in the order asked for, across the blocks of
// rows the numeric inputs are written in; a value too large names its own line.
TEST(Features, RowsAreTransformedAsTheWholeTableHasThem) {
  std::string csv = "amount,country,rate,y\n";
  for (int i = 0; i < 150; ++i) {
    csv += fmt::format("{},{},{},{}\n", i * 7 % 31, i % 3 == 0 ? "FR" : i % 3 == 1 ? "DE" : "US", i * 0.01, i % 2);
  }
  const Table t = table_of(csv);
  const FeatureTransform f = fit_features(t, t.find("y"), {0, 1, 2, 3, 4, 5, 6, 7}, {.standardize = true});
  const Matrix all = f.transform(t);
  const std::vector<Index> rows{149, 0, 64, 63, 65, 128, 7, 7, 100};
  const Matrix part = f.transform(t, rows);
  ASSERT_EQ(part.rows(), static_cast<Index>(rows.size()));
  ASSERT_EQ(part.cols(), all.cols());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(part.row(static_cast<Index>(i)), all.row(rows[i])) << "row " << rows[i];
  }
  EXPECT_EQ(f.transform(t, std::vector<Index>{}).rows(), 0);
  const Table wide = table_of("a,y\n1,0\n2,1\n3,0\n1.7e308,1\n");
  const FeatureTransform g = fit_features(wide, 1, {0, 1, 2}, {.standardize = true});
  EXPECT_EQ(g.transform(wide, std::vector<Index>{0, 2}).rows(), 2) << "the row too large is not among them";
  EXPECT_NE(error_of([&] {
              g.transform(wide, std::vector<Index>{0, 3});
            }).find("data.csv:5:1: 1.7e+308 in column 'a'"),
            std::string::npos);
}

TEST(Features, AnEncoderWritesEachBlockOfRowsAsTheWholeMatrixHasIt) {
  std::string csv = "amount,country,code,y\n";
  for (int i = 0; i < 300; ++i) {
    csv += fmt::format("{},{},{},{}\n", i * 7 % 31, i % 4 == 0 ? "FR" : i % 4 == 1 ? "DE" : "US", 100 + i % 5, i % 2);
  }
  const Table t = table_of(csv);
  // Trained on rows without DE and code 104, which the other rows then hold unseen;
  // `code` is categorical (its training rows had it so), read from a numeric column here.
  std::vector<Index> training;
  for (Index r = 0; r < 200; ++r) {
    if (r % 4 != 1 && r % 5 != 4) training.push_back(r);
  }
  FeatureTransform f = fit_features(t, t.find("y"), training, {.standardize = true});
  f.columns[2] = {.name = "code", .kind = ColumnKind::categorical, .categories = {"100", "101", "102", "103"}};
  Index whole_unseen = 0;
  const Matrix whole = f.transform(t, &whole_unseen);
  ASSERT_GT(whole_unseen, 0);
  const FeatureEncoder encoder(f, t);
  ASSERT_EQ(encoder.width(), whole.cols());
  // Blocks of every size from 1 to 97 rows, into one buffer whose elements hold NaN
  // before each block: every element is written.
  Matrix x(97, encoder.width());
  Index unseen = 0;
  Index begin = 0;
  for (Index size = 1; begin < t.rows(); size = size % 97 + 1) {
    const Index count = std::min(size, t.rows() - begin);
    std::vector<Index> rows(static_cast<std::size_t>(count));
    std::iota(rows.begin(), rows.end(), begin);
    x.setConstant(std::numeric_limits<Scalar>::quiet_NaN());
    const MatrixView block(x.data(), count, x.cols());
    unseen += encoder.encode(rows, block);
    EXPECT_EQ(Matrix(block), Matrix(whole.middleRows(begin, count))) << "rows " << begin << " to " << begin + count;
    begin += count;
  }
  EXPECT_EQ(unseen, whole_unseen);
  // Rows in any order, a row twice.
  const std::vector<Index> rows{299, 0, 1, 1, 150};
  const MatrixView block(x.data(), 5, x.cols());
  encoder.encode(rows, block);
  for (std::size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(block.row(static_cast<Index>(i)), whole.row(rows[i]));
  // The table's columns are checked when the encoder is made, before any row.
  const Table no_code = table_of("amount,country\n1,FR\n");
  EXPECT_NE(error_of([&] { FeatureEncoder(f, no_code); }).find("data.csv: the feature column 'code' is missing"),
            std::string::npos);
  const Table missing = table_of("amount,country,code\n1,,100\n");
  EXPECT_NE(error_of([&] { FeatureEncoder(f, missing); }).find("country"), std::string::npos);
}

// InputRows hold the numeric inputs and a code a row per text column; every way of
// reading them gives the rows of the input matrix, bit for bit.
TEST(InputRows, TakenRowsAreTheInputMatrixsRows) {
  std::string csv = "city,amount,device,rate,y\n";
  for (int i = 0; i < 500; ++i) {
    csv += fmt::format("c{},{},{},{},{}\n", i * 7 % 13, i * 0.37 - 40, i % 3 == 0 ? "phone" : "web", i % 11, i % 2);
  }
  const Table t = table_of(csv);
  std::vector<Index> training;
  for (Index r = 0; r < 500; ++r) {
    if (r * 7 % 13 != 5) training.push_back(r);  // c5 unseen in training
  }
  const FeatureTransform f = fit_features(t, t.find("y"), training, {.standardize = true});
  const std::vector<Index> rows{499, 3, 5, 5, 0, 200, 18, 10};  // any order, a row twice, c5 (row 10) among them
  Index unseen = 0, rows_unseen = 0;
  const Matrix whole = f.transform(t, rows, &unseen);
  const InputRows x = FeatureEncoder(f, t).encode_rows(rows, &rows_unseen);
  EXPECT_EQ(rows_unseen, unseen);
  ASSERT_GT(unseen, 0);
  ASSERT_EQ(x.rows(), whole.rows());
  ASSERT_EQ(x.cols(), whole.cols());
  EXPECT_EQ(x.matrix(), whole);
  // Two numeric inputs and two codes a row, where the matrix has 2 + 12 + 2 inputs.
  EXPECT_EQ(x.bytes(), 8u * (2 * sizeof(Scalar) + 2 * sizeof(std::uint32_t)));
  const InputView v = x;
  EXPECT_FALSE(v.whole());
  // Taken into a buffer that held NaN: every element written.
  const std::vector<Index> take{6, 0, 2, 2};
  Matrix out(4, x.cols());
  out.setConstant(std::numeric_limits<Scalar>::quiet_NaN());
  v.take(take, view(out));
  for (std::size_t i = 0; i < take.size(); ++i) EXPECT_EQ(out.row(static_cast<Index>(i)), whole.row(take[i]));
  Buffer scratch(4, x.cols());
  scratch.view().setConstant(std::numeric_limits<Scalar>::quiet_NaN());
  EXPECT_EQ(Matrix(v.block(2, 4, scratch)), Matrix(whole.middleRows(2, 4)));
  // The rows setting an input: a category's (phone: rows 3, 0 and 18), a numeric input's
  // nonzero values (the amount of row 200 standardises to about 0.85, none to 0 exactly).
  const auto names = f.input_names();
  const auto input = [&](const std::string& name) {
    return static_cast<Index>(std::find(names.begin(), names.end(), name) - names.begin());
  };
  EXPECT_EQ(x.rows_setting(input("device=phone")), 3);
  EXPECT_EQ(x.rows_setting(input("amount")), 8);
  EXPECT_EQ(x.rows_setting(input("city=c0")), 1);  // row 0
  // Numeric columns alone: the matrix itself, a block a view of it.
  const Table numeric = table_of("a,b,y\n1,2,0\n3,4,1\n5,6,0\n");
  const FeatureTransform g = fit_features(numeric, 2, {0, 1, 2}, {.standardize = false});
  const InputRows n = FeatureEncoder(g, numeric).encode_rows(std::vector<Index>{2, 0});
  const InputView nv = n;
  EXPECT_TRUE(nv.whole());
  EXPECT_EQ(n.matrix(), g.transform(numeric, std::vector<Index>{2, 0}));
  Buffer unused;
  EXPECT_EQ(nv.block(1, 1, unused)(0, 1), 2.0F);
  EXPECT_EQ(unused.data(), nullptr) << "a view, no copy";
  // Codes and positions are checked when the rows are made.
  const Matrix two(3, 2);
  EXPECT_THROW(InputRows(two, {0}, {}, 0, 2), Error) << "a position a numeric column";
  EXPECT_THROW(InputRows(two, {0, 1}, {3, 3}, 1, 4), Error) << "a code a row";
  EXPECT_THROW(InputRows(two, {0, 4}, {}, 0, 4), Error) << "a position beyond the width";
  EXPECT_THROW(InputRows(two, {0, 1}, {2, 4, 3}, 1, 4), Error) << "a code beyond the width";
  EXPECT_NO_THROW(InputRows(two, {0, 1}, {2, InputRows::kNoInput, 3}, 1, 4));
  const InputRows swapped(two, {1, 0}, {}, 0, 2);
  EXPECT_FALSE(InputView(swapped).whole()) << "columns out of order";
  // A matrix is input rows as it stands.
  const InputView mv = whole;
  EXPECT_TRUE(mv.whole());
  EXPECT_EQ(mv.block(3, 2, unused).data(), whole.data() + 3 * whole.cols());
}

TEST(Split, StratifiedSeededAndComplete) {
  std::vector<Index> classes;
  for (Index i = 0; i < 1000; ++i) classes.push_back(i % 10 == 0 ? 1 : 0);  // 10 % positives
  const Split s = split_rows(1000, 0.2, 0.1, 7, classes);
  EXPECT_EQ(s.train.size() + s.validation.size() + s.test.size(), 1000u);
  EXPECT_EQ(s.validation.size(), 200u);
  EXPECT_EQ(s.test.size(), 100u);
  Index positives_in_validation = 0;
  for (Index r : s.validation) positives_in_validation += classes[static_cast<std::size_t>(r)];
  EXPECT_EQ(positives_in_validation, 20) << "the class balance is kept";
  std::vector<Index> all = s.train;
  all.insert(all.end(), s.validation.begin(), s.validation.end());
  all.insert(all.end(), s.test.begin(), s.test.end());
  std::sort(all.begin(), all.end());
  for (Index i = 0; i < 1000; ++i) EXPECT_EQ(all[static_cast<std::size_t>(i)], i);
  EXPECT_EQ(split_rows(1000, 0.2, 0.1, 7, classes).validation, s.validation);
  EXPECT_NE(split_rows(1000, 0.2, 0.1, 8, classes).validation, s.validation);
  EXPECT_THROW(split_rows(10, 0.6, 0.5, 1), Error);
  const Split tiny = split_rows(2, 0.5, 0.4, 1);
  EXPECT_FALSE(tiny.train.empty()) << "a training row is always kept";
}

}  // namespace
}  // namespace glassnet
