#pragma once
// Reading IDX files, the format of MNIST and Fashion-MNIST, plain or gzip-compressed.
//
//   magic   4 bytes: 0x00 0x00, the element type (0x08: unsigned byte), the number of
//           dimensions d
//   sizes   d big-endian 32-bit integers
//   data    the elements, row-major
// Images ([N, rows, cols] unsigned bytes) are flattened to x:[N, rows·cols] and scaled
// to [0, 1]; labels ([N] unsigned bytes) become y:[N, 1] class indices. Everything is
// validated (magic, element type, dimensions, that the data is exactly as long as the
// sizes say, that images and labels have the same N) and any violation is an Error
// naming the file and what was expected.

#include <filesystem>

#include "glassnet/data/synthetic.hpp"

namespace glassnet {

Dataset read_idx(const std::filesystem::path& images, const std::filesystem::path& labels);

}  // namespace glassnet
