#include "glassnet/data/idx.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "glassnet/core/error.hpp"

namespace glassnet {
namespace {

namespace fs = std::filesystem;

std::vector<std::uint8_t> idx_bytes(std::vector<std::uint32_t> sizes, const std::vector<std::uint8_t>& data) {
  std::vector<std::uint8_t> out{0, 0, 0x08, static_cast<std::uint8_t>(sizes.size())};
  for (std::uint32_t s : sizes) {
    for (int shift : {24, 16, 8, 0}) out.push_back(static_cast<std::uint8_t>(s >> shift));
  }
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

class Idx : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / fmt::format("glassnet-idx-{}", ::getpid());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::vector<std::uint8_t>& bytes, bool gzip = false) {
    const std::string path = (dir_ / name).string();
    if (gzip) {
      gzFile f = gzopen(path.c_str(), "wb");
      gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
      gzclose(f);
    } else {
      std::ofstream(path, std::ios::binary)
          .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    }
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
  EXPECT_NE(error_of(write("d", idx_bytes({2, 2, 2}, {1, 2, 3})), labels).find("need 8 data bytes, the file has 3"),
            std::string::npos);
  EXPECT_NE(error_of(images, write("e", idx_bytes({3}, {1, 2, 3}))).find("2 images but"), std::string::npos);
  EXPECT_NE(error_of(write("f", idx_bytes({0xffffffff, 0xffff, 0xff}, {})), labels).find("more than 4 GiB"),
            std::string::npos);
  EXPECT_NE(error_of((dir_ / "missing").string(), labels).find("cannot open"), std::string::npos);
}

}  // namespace
}  // namespace glassnet
