#include "glassnet/data/idx.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <fstream>
#include <vector>

#include "glassnet/core/error.hpp"
#include "glassnet/core/huge_pages.hpp"

namespace glassnet {
namespace {

constexpr std::uint64_t kMaxBytes = std::uint64_t{1} << 32;  // 4 GiB decompressed

// The size the file's bytes will have: a plain file's own, a gzip file's as its last
// four bytes state it (modulo 2^32, beyond the largest IDX file read) — but never more
// than deflate can make of the file's size (1032:1), so that a small file cannot ask
// for gigabytes. A hint: a file that misstates it (gzip members one after another) is
// read all the same.
std::size_t expected_size(const std::filesystem::path& path) {
  constexpr std::uintmax_t kDeflateRatio = 1032;
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  std::ifstream in(path, std::ios::binary);
  std::array<unsigned char, 4> bytes{};
  if (ec || !in.read(reinterpret_cast<char*>(bytes.data()), 2)) return 0;
  if (bytes[0] != 0x1f || bytes[1] != 0x8b) return static_cast<std::size_t>(std::min<std::uintmax_t>(size, kMaxBytes));
  if (!in.seekg(-4, std::ios::end) || !in.read(reinterpret_cast<char*>(bytes.data()), 4)) return 0;
  const std::uintmax_t stated = std::uintmax_t{bytes[0]} | (std::uintmax_t{bytes[1]} << 8) |
                                (std::uintmax_t{bytes[2]} << 16) | (std::uintmax_t{bytes[3]} << 24);
  return static_cast<std::size_t>(std::min(stated, size * kDeflateRatio));
}

// The file's bytes, decompressed when it is gzip (zlib reads plain files as they are),
// read in place: for tens of megabytes of images, growing a buffer chunk by chunk
// touches and copies twice the memory.
std::vector<std::uint8_t> read_maybe_gzip(const std::filesystem::path& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) throw Error(fmt::format("{}: cannot open for reading", path.string()));
  constexpr std::size_t kChunk = std::size_t{1} << 20;
  // (one byte beyond the expected size: the read that finds the end)
  std::vector<std::uint8_t> bytes;
  reserve_on_huge_pages(bytes, expected_size(path) + 1);
  bytes.resize(bytes.capacity());
  std::size_t size = 0;
  for (;;) {
    if (size == bytes.size()) bytes.resize(std::min<std::size_t>(2 * size + kChunk, kMaxBytes + kChunk));
    const std::size_t room = std::min(bytes.size() - size, kChunk);
    const int n = gzread(file, bytes.data() + size, static_cast<unsigned>(room));
    if (n < 0) {
      gzclose(file);
      throw Error(fmt::format("{}: the gzip data is corrupt", path.string()));
    }
    if (n == 0) break;
    size += static_cast<std::size_t>(n);
    if (size > kMaxBytes) {
      gzclose(file);
      throw Error(fmt::format("{}: larger than 4 GiB; not an IDX file glassnet reads", path.string()));
    }
  }
  gzclose(file);
  bytes.resize(size);
  return bytes;
}

struct Idx {
  std::vector<std::uint32_t> sizes;
  std::vector<std::uint8_t> bytes;  // the whole file
  std::size_t data_offset = 0;
};

Idx parse(const std::filesystem::path& path, std::size_t expected_dimensions, const char* what) {
  Idx idx;
  idx.bytes = read_maybe_gzip(path);
  const std::string name = path.string();
  if (idx.bytes.size() >= 2 && (idx.bytes[0] != 0 || idx.bytes[1] != 0)) {
    throw Error(fmt::format("{}: not an IDX file: expected the magic bytes 00 00 at offset 0", name));
  }
  if (idx.bytes.size() < 4) {
    throw Error(fmt::format("{}: {} bytes: an IDX file's header is 4 bytes or more", name, idx.bytes.size()));
  }
  if (idx.bytes[2] != 0x08) {
    throw Error(fmt::format("{}: IDX element type 0x{:02x}; expected 0x08 (unsigned byte)", name, idx.bytes[2]));
  }
  if (idx.bytes[3] != expected_dimensions) {
    throw Error(fmt::format("{}: {} dimensions; expected {} for {}", name, idx.bytes[3], expected_dimensions, what));
  }
  idx.data_offset = 4 + 4 * expected_dimensions;
  if (idx.bytes.size() < idx.data_offset) throw Error(fmt::format("{}: the header is truncated", name));
  std::uint64_t count = 1;
  for (std::size_t d = 0; d < expected_dimensions; ++d) {
    const std::uint8_t* p = idx.bytes.data() + 4 + 4 * d;
    const std::uint32_t size =
        (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
    idx.sizes.push_back(size);
    if (size == 0) {  // (no images read as a header-only table; no pixels as a missing column)
      throw Error(fmt::format("{}: size {} of the IDX header is 0; expected {} with no size 0", name, d + 1, what));
    }
    count *= size;
    if (count > kMaxBytes) throw Error(fmt::format("{}: the sizes describe more than 4 GiB", name));
  }
  if (idx.bytes.size() - idx.data_offset != count) {
    throw Error(fmt::format("{}: the sizes need {} data bytes, the file has {}", name, count,
                            idx.bytes.size() - idx.data_offset));
  }
  return idx;
}

// The label count must match the image count.
void check_counts(const Idx& x, const std::filesystem::path& images, const Idx& y,
                  const std::filesystem::path& labels) {
  if (x.sizes[0] != y.sizes[0]) {
    throw Error(fmt::format("{} holds {} images but {} holds {} labels", images.string(), x.sizes[0], labels.string(),
                            y.sizes[0]));
  }
}

}  // namespace

Dataset read_idx(const std::filesystem::path& images, const std::filesystem::path& labels) {
  const Idx x = parse(images, 3, "images [N, rows, cols]");
  const Idx y = parse(labels, 1, "labels [N]");
  check_counts(x, images, y, labels);
  const auto n = static_cast<Index>(x.sizes[0]);
  const auto features = static_cast<Index>(x.sizes[1]) * static_cast<Index>(x.sizes[2]);
  Dataset data{Matrix(n, features), Matrix(n, 1)};
  const std::uint8_t* pixels = x.bytes.data() + x.data_offset;
  for (Index i = 0; i < n * features; ++i) data.x.data()[i] = static_cast<Scalar>(pixels[i]) / Scalar(255);
  for (Index i = 0; i < n; ++i)
    data.y(i, 0) = static_cast<Scalar>(y.bytes[y.data_offset + static_cast<std::size_t>(i)]);
  return data;
}

Table read_idx_table(const std::filesystem::path& images, const std::optional<std::filesystem::path>& labels) {
  const Idx x = parse(images, 3, "images [N, rows, cols]");
  std::optional<Idx> y;
  if (labels) {
    y = parse(*labels, 1, "labels [N]");
    check_counts(x, images, *y, *labels);
  }
  const std::size_t n = x.sizes[0];
  const std::size_t pixels = std::size_t{x.sizes[1]} * x.sizes[2];
  Table table;
  table.source = labels ? fmt::format("{} + {}", images.string(), labels->string()) : images.string();
  table.image_pixels = static_cast<Index>(pixels);
  table.columns.resize(pixels + (labels ? 1 : 0));
  const std::uint8_t* data = x.bytes.data() + x.data_offset;
  for (std::size_t p = 0; p < pixels; ++p) {
    Column& column = table.columns[p];
    column.name = fmt::format("pixel_{}", p);
    column.pixels.resize(n);
    column.missing.assign(n, false);
  }
  // Images are rows of pixels, the table columns of them: a block of images at a time
  // over every pixel, since a whole column at a time would read one cache line per image.
  constexpr std::size_t kBlockImages = 64;
  for (std::size_t first = 0; first < n; first += kBlockImages) {
    const std::size_t end = std::min(n, first + kBlockImages);
    for (std::size_t p = 0; p < pixels; ++p) {
      std::uint8_t* column = table.columns[p].pixels.data();
      for (std::size_t i = first; i < end; ++i) column[i] = data[i * pixels + p];
    }
  }
  if (y) {
    Column& column = table.columns.back();
    column.name = "label";
    column.numbers.resize(n);
    column.missing.assign(n, false);
    for (std::size_t i = 0; i < n; ++i) column.numbers[i] = y->bytes[y->data_offset + i];
  }
  return table;
}

bool looks_like_idx(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return false;
  std::ifstream in(path, std::ios::binary);
  unsigned char magic[3] = {0xff, 0xff, 0xff};
  in.read(reinterpret_cast<char*>(magic), sizeof magic);
  const bool idx = in.gcount() == 3 && magic[0] == 0 && magic[1] == 0 && magic[2] == 0x08;
  const bool gzip = in.gcount() >= 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  return idx || gzip;
}

}  // namespace glassnet
