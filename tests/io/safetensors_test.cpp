#include "glassnet/io/safetensors.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "glassnet/core/error.hpp"
#include "glassnet/io/atomic_file.hpp"
#include "test_support.hpp"

namespace glassnet {
namespace {

SafetensorsFile sample() {
  SafetensorsFile file;
  file.metadata = {{"format", "test"}, {"note", "ünïcode"}};
  file.tensors = {{"layers.0.weight", "F32", {2, 3}, {1, 2, 3, 4, 5, -6.5}},
                  {"layers.0.bias", "F64", {2}, {0.1, -0.2}},
                  {"empty", "F32", {0}, {}}};
  return file;
}

std::vector<std::byte> with_header(const std::string& header, std::size_t data_bytes) {
  std::vector<std::byte> bytes(8 + header.size() + data_bytes);
  const std::uint64_t n = header.size();
  std::memcpy(bytes.data(), &n, 8);
  std::memcpy(bytes.data() + 8, header.data(), header.size());
  return bytes;
}

void expect_rejected(const std::vector<std::byte>& bytes, const std::string& fragment) {
  try {
    decode_safetensors(bytes, "model.safetensors");
    FAIL() << "expected an Error containing '" << fragment << "'";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("model.safetensors"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(Safetensors, RoundTripsTensorsAndMetadata) {
  const SafetensorsFile file = sample();
  const auto bytes = encode_safetensors(file);
  std::uint64_t header_length;
  std::memcpy(&header_length, bytes.data(), 8);
  EXPECT_EQ(header_length % 8, 0u) << "data starts 8-byte aligned";
  const SafetensorsFile back = decode_safetensors(bytes, "x");
  EXPECT_EQ(back.metadata, file.metadata);
  ASSERT_EQ(back.tensors.size(), 3u);
  const auto* w = back.find("layers.0.weight");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->shape, (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(w->values, file.tensors[0].values);
  EXPECT_EQ(back.find("layers.0.bias")->values, file.tensors[1].values) << "F64 is exact";
  EXPECT_EQ(back.find("missing"), nullptr);
}

TEST(Safetensors, RejectsEveryMalformedFileWithAClearError) {
  expect_rejected({}, "at least an 8-byte header length");
  expect_rejected(with_header("{}", 0).size() > 0 ? std::vector<std::byte>(5) : std::vector<std::byte>{},
                  "at least an 8-byte");
  auto too_long = with_header("{}", 0);
  const std::uint64_t huge = 1ULL << 60;
  std::memcpy(too_long.data(), &huge, 8);
  expect_rejected(too_long, "runs past the end");
  expect_rejected(with_header("{not json", 0), "not valid JSON");
  expect_rejected(with_header("[1, 2]", 0), "not a JSON object");
  // A number beyond a double is no parse error to the JSON library, but as bad a header.
  expect_rejected(with_header(R"({"w": {"dtype": "F32", "shape": [1e999], "data_offsets": [0, 4]}})", 4),
                  "not valid JSON (number overflow parsing '1e999')");
  expect_rejected(with_header(R"({"w": {"dtype": "I8", "shape": [1], "data_offsets": [0, 1]}})", 1),
                  "unsupported dtype");
  expect_rejected(with_header(R"({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}})", 8), "need 8");
  expect_rejected(with_header(R"({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})", 4), "outside");
  expect_rejected(with_header(R"({"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}})", 4),
                  "non-negative integer");
  expect_rejected(with_header(R"({"w": {"dtype": "F32", "shape": [1]}})", 4), "data_offsets");
  expect_rejected(with_header(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                                  "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})",
                              12),
                  "overlap");
  expect_rejected(with_header(R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}})", 8),
                  "4 data bytes after the last tensor's belong to no tensor");
  expect_rejected(with_header(R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})", 8),
                  "data bytes 0 to 4 belong to no tensor");
  expect_rejected(with_header(R"({"__metadata__": {"k": 1}})", 0), "not a string");
  expect_rejected(
      with_header(R"({"w": {"dtype": "F32", "shape": [4611686018427387904, 4], "data_offsets": [0, 4]}})", 4),
      "too large");
}

TEST(Safetensors, TruncatingAValidFileAnywhereIsAnErrorNotACrash) {
  const auto bytes = encode_safetensors(sample());
  for (std::size_t size = 0; size < bytes.size(); ++size) {
    const std::vector<std::byte> truncated(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(size));
    EXPECT_THROW(decode_safetensors(truncated, "t"), Error) << "size " << size;
  }
}

// A file is read whole only once its header length fits its size and its header is
// JSON: a sparse file of 4 GB of zeros was read to the end first, and /dev/zero until
// memory ran out (std::bad_alloc).
TEST(Safetensors, AFileIsCheckedBeforeItIsReadWhole) {
  testing::ScratchDir dir;
  const std::filesystem::path sparse = dir.path / "zeros.bin";
  std::ofstream(sparse).close();
  std::filesystem::resize_file(sparse, std::uintmax_t{4} << 30);  // a hole: no disk used
  const auto refused = [](const std::filesystem::path& path) {
    try {
      read_safetensors(path);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("read");
  };
  EXPECT_EQ(refused(sparse), sparse.string() + ": header is not valid JSON (at byte 1 of the header)");
  EXPECT_EQ(refused("/dev/zero"), "/dev/zero: not a regular file; expected a safetensors file");
  EXPECT_EQ(refused(dir.path), dir.path.string() + ": that is a directory; expected a safetensors file");
  std::ofstream(dir.path / "text.bin") << "AAAAAAAAAAAA";
  EXPECT_EQ(refused(dir.path / "text.bin"), (dir.path / "text.bin").string() +
                                                ": not a safetensors file: its header length, 4702111234474983745, "
                                                "runs past the end of the file (12 bytes)");
  write_safetensors(dir.path / "good.safetensors", sample());
  EXPECT_EQ(read_safetensors(dir.path / "good.safetensors").tensors.size(), 3u);
}

TEST(AtomicFile, ReplacesTheFileAndLeavesNoTemporaries) {
  const auto dir = std::filesystem::temp_directory_path() / ("glassnet-atomic-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / "model.safetensors";
  write_safetensors(path, sample());
  SafetensorsFile changed = sample();
  changed.metadata["format"] = "second";
  write_safetensors(path, changed);
  EXPECT_EQ(read_safetensors(path).metadata.at("format"), "second");
  int files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) ++files;
  EXPECT_EQ(files, 1) << "no temporary file is left behind";
  EXPECT_THROW(write_safetensors(dir / "no-such-dir" / "x.safetensors", sample()), Error);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace glassnet
