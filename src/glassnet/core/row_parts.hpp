#pragma once
// Elementwise work over a matrix's rows, split by rows over glassnet's threads
// (core/threads.hpp) when there is enough of it, as the products are (core/gemm.cpp).
// Each part takes a contiguous range of rows, so the result does not depend on the
// split, and the worker that would wait for the next product does half the work.
//
//   for_row_parts(x.rows(), x.cols(), [&](Index begin, Index end) {
//     f(row_range(x, begin, end), row_range(y, begin, end));
//   });

#include <algorithm>

#include "glassnet/core/matrix.hpp"
#include "glassnet/core/threads.hpp"

namespace glassnet {

// Matrices of fewer elements stay on the calling thread: handing a part over (about
// 0.3 µs) costs more than half of a smaller pass saves (bench/NOTES.md).
inline constexpr Index kParallelElements = Index(1) << 14;
// Each part is at least this many rows.
inline constexpr Index kMinRowsPerElementwisePart = 16;

// Calls body(begin, end) for row ranges [begin, end) that cover [0, rows) once.
template <typename Body>
void for_row_parts(Index rows, Index cols, const Body& body) {
  const Index parts = rows * cols < kParallelElements
                          ? 1
                          : std::min<Index>(thread_count(), std::max<Index>(1, rows / kMinRowsPerElementwisePart));
  parallel_ranges(rows, static_cast<int>(parts), body);
}

// Rows [begin, end) of a row-major view.
inline MatrixView row_range(MatrixView m, Index begin, Index end) {
  return {m.data() + begin * m.cols(), end - begin, m.cols()};
}
inline ConstMatrixView row_range(ConstMatrixView m, Index begin, Index end) {
  return {m.data() + begin * m.cols(), end - begin, m.cols()};
}

}  // namespace glassnet
