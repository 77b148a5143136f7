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
#include <optional>

#include "glassnet/data/synthetic.hpp"
#include "glassnet/data/table.hpp"

namespace glassnet {

Dataset read_idx(const std::filesystem::path& images, const std::filesystem::path& labels);

// The same files as a Table, for the command line's data path: one numeric column per
// pixel ("pixel_0" … "pixel_{rows·cols − 1}", row-major, values in [0, 1]) and, when
// `labels` is given, a numeric "label" column last. The table's source names both
// files; its values carry no CSV positions, so messages cite record numbers.
Table read_idx_table(const std::filesystem::path& images, const std::optional<std::filesystem::path>& labels);

// True when the file starts like an IDX file of unsigned bytes (00 00 08) or like gzip
// (1f 8b): what `--data` without `--labels` uses to tell images from CSV. Only a regular
// file is looked at: the bytes of a pipe (/dev/stdin, a named pipe) would be gone for
// its reader, so a pipe is CSV.
bool looks_like_idx(const std::filesystem::path& path);

}  // namespace glassnet
