#include "glassnet/data/idx.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "glassnet/core/error.hpp"
#include "glassnet/data/features.hpp"
#include "glassnet/data/labels.hpp"
#include "glassnet/data/read_data.hpp"
#include "glassnet/data/split.hpp"
#include "idx_files.hpp"

namespace glassnet {
namespace {

namespace fs = std::filesystem;
using testing::idx_bytes;

class Idx : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / fmt::format("glassnet-idx-{}", ::getpid());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::vector<std::uint8_t>& bytes, bool gzip = false) {
    const std::string path = (dir_ / name).string();
    testing::write_bytes(path, bytes, gzip);
    return path;
  }
  std::string error_of(const std::string& images, const std::string& labels) {
    try {
      read_idx(images, labels);
    } catch (const Error& e) {
      return e.what();
    }
    return "(no error)";
  }
  fs::path dir_;
};

TEST_F(Idx, ReadsImagesScaledToUnitRangeAndLabels) {
  const auto images = idx_bytes({2, 2, 3}, {0, 255, 51, 102, 0, 0, 255, 255, 255, 0, 0, 1});
  const auto labels = idx_bytes({2}, {7, 3});
  for (bool gzip : {false, true}) {
    const Dataset d = read_idx(write("i", images, gzip), write("l", labels, gzip));
    ASSERT_EQ(d.x.rows(), 2);
    ASSERT_EQ(d.x.cols(), 6);
    EXPECT_NEAR(d.x(0, 1), 1.0, 1e-7);
    EXPECT_NEAR(d.x(0, 2), 0.2, 1e-7);
    EXPECT_NEAR(d.x(1, 5), 1.0 / 255, 1e-7);
    EXPECT_EQ(d.y(0, 0), 7);
    EXPECT_EQ(d.y(1, 0), 3);
  }
}

TEST_F(Idx, EveryMalformedFileIsAClearError) {
  const std::string labels = write("l", idx_bytes({2}, {1, 2}));
  const std::string images = write("i", idx_bytes({2, 1, 1}, {1, 2}));
  EXPECT_NE(error_of(write("a", {1, 2, 3, 4}), labels).find("not an IDX file"), std::string::npos);
  EXPECT_NE(error_of(write("b", {0, 0, 0x0d, 3}), labels).find("element type 0x0d"), std::string::npos);
  EXPECT_NE(error_of(labels, labels).find("1 dimensions; expected 3"), std::string::npos);
  EXPECT_NE(error_of(write("c", {0, 0, 8, 3, 0, 0}), labels).find("header is truncated"), std::string::npos);
  // The magic bytes there, the rest of the header not: truncated, not "not an IDX file".
  EXPECT_NE(error_of(write("g", {0, 0, 8}), labels).find("3 bytes: an IDX file's header is 4 bytes or more"),
            std::string::npos);
  EXPECT_NE(error_of(write("d", idx_bytes({2, 2, 2}, {1, 2, 3})), labels).find("need 8 data bytes, the file has 3"),
            std::string::npos);
  EXPECT_NE(error_of(images, write("e", idx_bytes({3}, {1, 2, 3}))).find("2 images but"), std::string::npos);
  EXPECT_NE(error_of(write("f", idx_bytes({0xffffffff, 0xffff, 0xff}, {})), labels).find("more than 4 GiB"),
            std::string::npos);
  EXPECT_NE(error_of((dir_ / "missing").string(), labels).find("cannot open"), std::string::npos);
  // No images, or images of no pixels (predict printed a bare header; train named a
  // missing column 'pixel_0').
  EXPECT_NE(error_of(write("h", idx_bytes({0, 28, 28}, {})), write("m", idx_bytes({0}, {})))
                .find("size 1 of the IDX header is 0; expected images [N, rows, cols] with no size 0"),
            std::string::npos);
  EXPECT_NE(error_of(write("j", idx_bytes({2, 0, 28}, {})), labels).find("size 2 of the IDX header is 0"),
            std::string::npos);
}

TEST_F(Idx, TableHasOnePixelColumnPerPixelAndTheLabelLast) {
  const auto images = idx_bytes({2, 2, 3}, {0, 255, 51, 102, 0, 0, 255, 255, 255, 0, 0, 1});
  const std::string labels = write("l.gz", idx_bytes({2}, {7, 3}), true);
  for (bool gzip : {false, true}) {
    const std::string image_file = write(gzip ? "i.gz" : "i", images, gzip);
    const Table t = read_data(image_file, labels);
    ASSERT_EQ(t.columns.size(), 7u);
    ASSERT_EQ(t.rows(), 2);
    EXPECT_EQ(t.columns[0].name, "pixel_0");
    EXPECT_EQ(t.columns[5].name, "pixel_5");
    EXPECT_EQ(t.columns[1].number(0), 1.0);
    EXPECT_NEAR(t.columns[2].number(0), 0.2, 1e-12);
    EXPECT_NEAR(t.columns[5].number(1), 1.0 / 255, 1e-12);
    EXPECT_EQ(t.columns[6].name, "label");
    EXPECT_EQ(t.columns[6].number(1), 3.0);
    EXPECT_NE(t.source.find(labels), std::string::npos) << "messages about labels must name the labels file";
    // Without labels (prediction), the images alone, recognised by their first bytes.
    const Table unlabeled = read_data(image_file);
    EXPECT_EQ(unlabeled.columns.size(), 6u);
    EXPECT_EQ(unlabeled.columns[3].number(0), 102.0 / 255);
  }
}

// A gzip file's last four bytes give its size to read into; gzip members written one
// after another (as `cat a.gz b.gz` makes them) read as one file, their last member's
// size far below the whole.
TEST_F(Idx, GzipMembersOneAfterAnotherReadAsOneFile) {
  const std::uint32_t n = 3000;  // images of 20 × 20: 1.2 MB, over one read's chunk
  std::vector<std::uint8_t> pixels(std::size_t{n} * 400);
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<std::uint8_t>(i * 7 % 251);
  const auto bytes = idx_bytes({n, 20, 20}, pixels);
  const std::size_t cut = bytes.size() - 100;
  const std::string first = write("a.gz", {bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(cut)}, true);
  const std::string second = write("b.gz", {bytes.begin() + static_cast<std::ptrdiff_t>(cut), bytes.end()}, true);
  const std::string both = (dir_ / "both.gz").string();
  {
    std::ofstream out(both, std::ios::binary);
    out << std::ifstream(first, std::ios::binary).rdbuf() << std::ifstream(second, std::ios::binary).rdbuf();
  }
  const Table t = read_data(both, write("l", idx_bytes({n}, std::vector<std::uint8_t>(n, 1))));
  ASSERT_EQ(t.rows(), n);
  ASSERT_EQ(t.columns.size(), 401u);
  for (std::size_t i : {std::size_t{0}, std::size_t{1234}, std::size_t{n - 1}}) {
    for (std::size_t p : {std::size_t{0}, std::size_t{399}}) {
      EXPECT_EQ(t.columns[p].number(i), pixels[i * 400 + p] / 255.0) << "image " << i << ", pixel " << p;
    }
  }
}

// Images are held as their bytes (an eighth of the memory of doubles); every reader
// sees the values a column of doubles would hold, so a run prepares them bit for bit as
// before: the features fitted, the rows transformed, a pixel taken as the target.
TEST_F(Idx, ImagesAreHeldAsBytesAndPreparedAsTheirValuesWouldBe) {
  const std::uint32_t n = 300;  // images of 6 × 6
  std::vector<std::uint8_t> pixels(std::size_t{n} * 36), labels(n);
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<std::uint8_t>((i * 2654435761u) >> 7);
  for (std::size_t i = 0; i < n; ++i) labels[i] = static_cast<std::uint8_t>(i % 3);
  const Table bytes = read_data(write("i", idx_bytes({n, 6, 6}, pixels)), write("l", idx_bytes({n}, labels)));
  ASSERT_EQ(bytes.columns.size(), 37u);
  Table doubles = bytes;  // the same values as a CSV table holds them
  for (std::size_t p = 0; p < 36; ++p) {
    Column& column = doubles.columns[p];
    ASSERT_EQ(bytes.columns[p].pixels.size(), n);
    EXPECT_TRUE(bytes.columns[p].numbers.empty());
    for (std::size_t i = 0; i < n; ++i) column.numbers.push_back(column.number(i));
    column.pixels.clear();
  }
  // The table's memory: a byte and a bit per pixel, not a double.
  EXPECT_LT(bytes.bytes(), doubles.bytes() / 6);
  EXPECT_TRUE(find_missing(bytes).empty());

  const Split split = split_rows(n, 0.25, 0.0, 5, {});
  for (bool standardize : {true, false}) {
    const FeatureTransform from_bytes = fit_features(bytes, 36, split.train, {.standardize = standardize});
    const FeatureTransform from_doubles = fit_features(doubles, 36, split.train, {.standardize = standardize});
    ASSERT_EQ(from_bytes.columns.size(), 36u);
    for (std::size_t p = 0; p < 36; ++p) {
      EXPECT_EQ(from_bytes.columns[p].mean, from_doubles.columns[p].mean) << "pixel " << p;
      EXPECT_EQ(from_bytes.columns[p].stddev, from_doubles.columns[p].stddev) << "pixel " << p;
    }
    const Matrix x = from_bytes.transform(bytes, split.validation);
    const Matrix expected = from_doubles.transform(doubles, split.validation);
    ASSERT_EQ(x.rows(), expected.rows());
    EXPECT_TRUE(x == expected) << "standardize " << standardize;
    EXPECT_NE(x(0, 7), Scalar{0});  // (the rows hold the images, not zeros)
  }
  // A pixel as the target: a regression on its values.
  const LabelEncoding target = fit_labels(bytes.columns[20], bytes.source, Task::regression);
  const Matrix y = target.encode(bytes.columns[20], bytes.source);
  EXPECT_TRUE(
      y ==
      fit_labels(doubles.columns[20], doubles.source, Task::regression).encode(doubles.columns[20], doubles.source));
  EXPECT_EQ(y(3, 0), static_cast<Scalar>(pixels[3 * 36 + 20] / 255.0));
}

TEST_F(Idx, ReadDataTellsCsvFromIdx) {
  const std::string csv = (dir_ / "t.csv").string();
  testing::write_bytes(csv, {'a', ',', 'b', '\n', '1', ',', '2', '\n'}, false);
  EXPECT_FALSE(looks_like_idx(csv));
  const Table t = read_data(csv);
  ASSERT_EQ(t.columns.size(), 2u);
  EXPECT_EQ(t.columns[1].name, "b");
  EXPECT_TRUE(looks_like_idx(write("i", idx_bytes({1, 1, 1}, {9}))));
  EXPECT_TRUE(looks_like_idx(write("g", idx_bytes({1, 1, 1}, {9}), true)));
  EXPECT_FALSE(looks_like_idx((dir_ / "missing").string()));
}

}  // namespace
}  // namespace glassnet
