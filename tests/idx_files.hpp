#pragma once
// Writes IDX files (plain or gzip) for tests of the IDX reader and the command line.

#include <zlib.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

namespace glassnet::testing {

// magic 00 00 08 <dimensions>, big-endian sizes, then `data`.
inline std::vector<std::uint8_t> idx_bytes(const std::vector<std::uint32_t>& sizes,
                                           const std::vector<std::uint8_t>& data) {
  std::vector<std::uint8_t> out{0, 0, 0x08, static_cast<std::uint8_t>(sizes.size())};
  for (std::uint32_t s : sizes) {
    for (int shift : {24, 16, 8, 0}) out.push_back(static_cast<std::uint8_t>(s >> shift));
  }
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

inline void write_bytes(const std::string& path, const std::vector<std::uint8_t>& bytes, bool gzip) {
  if (gzip) {
    gzFile f = gzopen(path.c_str(), "wb");
    gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(f);
  } else {
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
}

}  // namespace glassnet::testing
