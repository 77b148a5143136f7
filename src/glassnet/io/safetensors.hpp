#pragma once
// The safetensors format: an 8-byte little-endian header length N, N bytes of JSON,
// then the raw tensor bytes. The JSON maps each tensor name to
//   {"dtype": "F32" | "F64", "shape": [...], "data_offsets": [begin, end]}
// (offsets relative to the end of the header), plus an optional "__metadata__" object
// of string → string. Tensors are little-endian, row-major and contiguous.
//
// Reading validates everything before use: the header length against the file size,
// the JSON, every dtype, shape and offset pair (within the data, matching the shape,
// not overlapping another tensor), and that the tensors hold every data byte (no holes,
// nothing after the last: the format allows neither). Any violation is an Error naming the file and what
// was expected; nothing in a file is executed.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace glassnet {

struct SafetensorsTensor {
  std::string name;
  std::string dtype;  // "F32" or "F64"
  std::vector<std::int64_t> shape;
  std::vector<double> values;  // converted to double on reading; written in `dtype`
};

struct SafetensorsFile {
  std::map<std::string, std::string> metadata;
  std::vector<SafetensorsTensor> tensors;  // in file order (sorted by offset)

  const SafetensorsTensor* find(const std::string& name) const;
};

// Serialises, tensors laid out in the order given. Throws Error on an unknown dtype or a
// shape that does not match the number of values.
std::vector<std::byte> encode_safetensors(const SafetensorsFile& file);
// Parses and validates; `source` names the file in error messages.
SafetensorsFile decode_safetensors(const std::vector<std::byte>& bytes, const std::string& source);

// A whole file's bytes; Error naming the file if it cannot be read.
std::vector<std::byte> read_file(const std::filesystem::path& path);
// A safetensors file's bytes, for decode_safetensors: read whole only once it is a
// regular file whose header length fits its size and whose header is JSON (a 2 GB file
// of zeros, a directory or /dev/zero is refused before it is read).
std::vector<std::byte> read_safetensors_bytes(const std::filesystem::path& path);

// Atomic write (io/atomic_file.hpp) and validated read.
void write_safetensors(const std::filesystem::path& path, const SafetensorsFile& file);
SafetensorsFile read_safetensors(const std::filesystem::path& path);

}  // namespace glassnet
