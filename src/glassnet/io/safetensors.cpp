#include "glassnet/io/safetensors.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "glassnet/core/error.hpp"
#include "glassnet/io/atomic_file.hpp"
#include "glassnet/io/json_fields.hpp"

static_assert(std::endian::native == std::endian::little, "the safetensors code assumes a little-endian machine");

namespace glassnet {
namespace {

using nlohmann::json;

std::size_t dtype_size(const std::string& dtype) {
  if (dtype == "F32") return 4;
  if (dtype == "F64") return 8;
  return 0;
}

std::int64_t element_count(const std::vector<std::int64_t>& shape) {
  std::int64_t count = 1;
  for (std::int64_t d : shape) count *= d;
  return count;
}

}  // namespace

const SafetensorsTensor* SafetensorsFile::find(const std::string& name) const {
  for (const auto& t : tensors) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

std::vector<std::byte> encode_safetensors(const SafetensorsFile& file) {
  json header = json::object();
  if (!file.metadata.empty()) header["__metadata__"] = file.metadata;
  std::size_t offset = 0;
  for (const auto& t : file.tensors) {
    const std::size_t size = dtype_size(t.dtype);
    if (size == 0) throw Error(fmt::format("tensor '{}': unsupported dtype '{}'", t.name, t.dtype));
    if (element_count(t.shape) != static_cast<std::int64_t>(t.values.size())) {
      throw Error(
          fmt::format("tensor '{}': shape holds {} values, {} given", t.name, element_count(t.shape), t.values.size()));
    }
    if (t.name == "__metadata__" || header.contains(t.name)) {
      throw Error(fmt::format("tensor name '{}' is used twice or reserved", t.name));
    }
    const std::size_t bytes = size * t.values.size();
    header[t.name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // pad so the data starts 8-byte aligned
  std::vector<std::byte> out(8 + text.size() + offset);
  const std::uint64_t length = text.size();
  std::memcpy(out.data(), &length, 8);
  std::memcpy(out.data() + 8, text.data(), text.size());
  std::byte* data = out.data() + 8 + text.size();
  for (const auto& t : file.tensors) {
    for (double v : t.values) {
      if (t.dtype == "F32") {
        const auto f = static_cast<float>(v);
        std::memcpy(data, &f, 4);
        data += 4;
      } else {
        std::memcpy(data, &v, 8);
        data += 8;
      }
    }
  }
  return out;
}

SafetensorsFile decode_safetensors(const std::vector<std::byte>& bytes, const std::string& source) {
  const auto fail = [&](const std::string& what) { return Error(fmt::format("{}: {}", source, what)); };
  if (bytes.size() < 8) {
    throw fail(
        fmt::format("not a safetensors file: {} bytes, expected at least an 8-byte header length", bytes.size()));
  }
  std::uint64_t length = 0;
  std::memcpy(&length, bytes.data(), 8);
  if (length > bytes.size() - 8) {
    throw fail(fmt::format("not a safetensors file: its header length, {}, runs past the end of the file ({} bytes)",
                           length, bytes.size()));
  }
  const std::string text(reinterpret_cast<const char*>(bytes.data() + 8), static_cast<std::size_t>(length));
  json header;
  try {
    header = json::parse(text);
  } catch (const json::parse_error& e) {
    throw fail(fmt::format("header is not valid JSON (at byte {} of the header)", e.byte));
  } catch (const json::exception& e) {  // a number beyond a double's range
    throw fail(fmt::format("header is not valid JSON ({})", json_error_text(e)));
  }
  if (!header.is_object()) throw fail("header is not a JSON object");
  const std::size_t data_size = bytes.size() - 8 - static_cast<std::size_t>(length);
  const std::byte* data = bytes.data() + 8 + length;

  SafetensorsFile file;
  std::vector<std::pair<std::size_t, std::size_t>> ranges;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      if (!entry.is_object()) throw fail("__metadata__ is not an object");
      for (const auto& [key, value] : entry.items()) {
        if (!value.is_string()) throw fail(fmt::format("__metadata__ value of '{}' is not a string", key));
        file.metadata[key] = value.get<std::string>();
      }
      continue;
    }
    const std::string tensor_name = name;  // a structured binding cannot be captured (clang 14)
    const auto where = [&](const std::string& what) { return fail(fmt::format("tensor '{}': {}", tensor_name, what)); };
    if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") || !entry.contains("data_offsets")) {
      throw where("expected an object with dtype, shape and data_offsets");
    }
    SafetensorsTensor tensor;
    tensor.name = name;
    if (!entry["dtype"].is_string()) throw where("dtype is not a string");
    tensor.dtype = entry["dtype"].get<std::string>();
    const std::size_t size = dtype_size(tensor.dtype);
    if (size == 0) throw where(fmt::format("unsupported dtype '{}'; expected F32 or F64", tensor.dtype));
    if (!entry["shape"].is_array()) throw where("shape is not an array");
    std::uint64_t count = 1;
    for (const auto& d : entry["shape"]) {
      if (!d.is_number_unsigned()) throw where("shape holds something other than a non-negative integer");
      const auto dim = d.get<std::uint64_t>();
      if (dim != 0 && count > std::numeric_limits<std::uint64_t>::max() / 8 / dim) throw where("shape is too large");
      count *= dim;
      tensor.shape.push_back(static_cast<std::int64_t>(dim));
    }
    const auto& offsets = entry["data_offsets"];
    if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
        !offsets[1].is_number_unsigned()) {
      throw where("data_offsets is not a pair of non-negative integers");
    }
    const auto begin = offsets[0].get<std::uint64_t>();
    const auto end = offsets[1].get<std::uint64_t>();
    if (begin > end || end > data_size) {
      throw where(fmt::format("data_offsets [{}, {}] lie outside the {} data bytes", begin, end, data_size));
    }
    if (end - begin != count * size) {
      throw where(fmt::format("data_offsets span {} bytes; the shape and dtype need {}", end - begin, count * size));
    }
    ranges.emplace_back(begin, end);
    tensor.values.resize(static_cast<std::size_t>(count));
    const std::byte* p = data + begin;
    for (auto& v : tensor.values) {
      if (size == 4) {
        float f;
        std::memcpy(&f, p, 4);
        v = f;
      } else {
        std::memcpy(&v, p, 8);
      }
      p += size;
    }
    file.tensors.push_back(std::move(tensor));
  }
  // Sorted by offset, no two tensors may overlap, and together they hold every data
  // byte (the format allows no holes: bytes no tensor names are damage, or another file's).
  std::vector<std::size_t> order(file.tensors.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return ranges[a] < ranges[b]; });
  std::size_t covered = 0;  // the data bytes [0, covered) belong to tensors so far
  std::size_t last = 0;     // the tensor that ends there
  for (std::size_t i : order) {
    const auto& [begin, end] = ranges[i];
    if (begin == end) continue;  // an empty tensor holds no bytes
    if (begin < covered) {
      throw fail(fmt::format("tensors '{}' and '{}' overlap", file.tensors[last].name, file.tensors[i].name));
    }
    if (begin > covered) throw fail(fmt::format("data bytes {} to {} belong to no tensor", covered, begin));
    covered = end;
    last = i;
  }
  if (covered != data_size) {
    throw fail(fmt::format("{} data bytes after the last tensor's belong to no tensor", data_size - covered));
  }
  std::vector<SafetensorsTensor> sorted;
  sorted.reserve(order.size());
  for (std::size_t i : order) sorted.push_back(std::move(file.tensors[i]));
  file.tensors = std::move(sorted);
  return file;
}

void write_safetensors(const std::filesystem::path& path, const SafetensorsFile& file) {
  const std::vector<std::byte> bytes = encode_safetensors(file);
  write_file_atomically(path, bytes);
}

std::vector<std::byte> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("{}: cannot open for reading", path.string()));
  std::vector<std::byte> bytes;
  std::array<char, 65536> chunk;
  while (in.read(chunk.data(), chunk.size()) || in.gcount() > 0) {
    const auto* begin = reinterpret_cast<const std::byte*>(chunk.data());
    bytes.insert(bytes.end(), begin, begin + in.gcount());
  }
  return bytes;
}

std::vector<std::byte> read_safetensors_bytes(const std::filesystem::path& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (std::filesystem::is_directory(status)) {
    throw Error(fmt::format("{}: that is a directory; expected a safetensors file", path.string()));
  }
  if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status)) {
    throw Error(fmt::format("{}: not a regular file; expected a safetensors file", path.string()));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("{}: cannot open for reading", path.string()));
  // The size of the file opened (a file renamed over the path meanwhile is another).
  in.seekg(0, std::ios::end);
  const std::streamoff end = in.tellg();
  in.seekg(0, std::ios::beg);
  if (end < 0 || !in) ec = std::make_error_code(std::errc::io_error);
  const auto size = static_cast<std::uintmax_t>(end < 0 ? 0 : end);
  // The header length and the header first: decode_safetensors names what is wrong.
  std::vector<std::byte> bytes(static_cast<std::size_t>(std::min<std::uintmax_t>(ec ? 0 : size, 8)));
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (bytes.size() < 8 || !in) return read_file(path);  // too short: decode says so
  std::uint64_t length = 0;
  std::memcpy(&length, bytes.data(), 8);
  if (length > size - 8) {
    throw Error(
        fmt::format("{}: not a safetensors file: its header length, {}, runs past the end of the file ({} "
                    "bytes)",
                    path.string(), length, size));
  }
  bytes.resize(8 + static_cast<std::size_t>(length));
  in.read(reinterpret_cast<char*>(bytes.data() + 8), static_cast<std::streamsize>(length));
  if (!in) throw Error(fmt::format("{}: reading failed", path.string()));
  const auto* header = reinterpret_cast<const char*>(bytes.data() + 8);
  if (!json::accept(header, header + length)) return bytes;  // decode: not JSON
  bytes.resize(static_cast<std::size_t>(size));
  in.read(reinterpret_cast<char*>(bytes.data() + 8 + length), static_cast<std::streamsize>(size - 8 - length));
  if (!in) throw Error(fmt::format("{}: reading failed", path.string()));
  return bytes;
}

SafetensorsFile read_safetensors(const std::filesystem::path& path) {
  return decode_safetensors(read_safetensors_bytes(path), path.string());
}

}  // namespace glassnet
