#include "glassnet/data/idx.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "glassnet/core/error.hpp"
#include "glassnet/data/read_data.hpp"
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
    EXPECT_EQ(t.columns[1].numbers[0], 1.0);
    EXPECT_NEAR(t.columns[2].numbers[0], 0.2, 1e-12);
    EXPECT_NEAR(t.columns[5].numbers[1], 1.0 / 255, 1e-12);
    EXPECT_EQ(t.columns[6].name, "label");
    EXPECT_EQ(t.columns[6].numbers[1], 3.0);
    EXPECT_NE(t.source.find(labels), std::string::npos) << "messages about labels must name the labels file";
    // Without labels (prediction), the images alone, recognised by their first bytes.
    const Table unlabeled = read_data(image_file);
    EXPECT_EQ(unlabeled.columns.size(), 6u);
    EXPECT_EQ(unlabeled.columns[3].numbers[0], 102.0 / 255);
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
      EXPECT_EQ(t.columns[p].numbers[i], pixels[i * 400 + p] / 255.0) << "image " << i << ", pixel " << p;
    }
  }
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
