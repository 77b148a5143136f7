#pragma once
// The network's input rows, x:[rows, width], held as a matrix of the numeric inputs and a
// code a row for each text column — the one input among its one-hot inputs that the row
// sets to 1 — and expanded to whole rows only when taken (a batch, an evaluation block).
// A million rows with four text columns of 1,170 categories in all take 16 bytes a row
// here, 4,680 as the input matrix.
//
//   InputRows x = encoder.encode_rows(rows);   // data/feature_encoder.hpp
//   InputView v = x;                           // or a matrix: InputView v = matrix;
//   v.take(rows, out);                         // out:[rows.size(), width]
//   ConstMatrixView b = v.block(begin, count, scratch);   // scratch: a Buffer
//
// Taken rows are the bits FeatureTransform::transform writes for them. Without text
// columns the numeric matrix is the input matrix itself, and a block is a view of it.

#include <cstdint>
#include <span>
#include <vector>

#include "glassnet/core/matrix.hpp"

namespace glassnet {

class InputRows {
 public:
  // A row's code for a text column whose value sets no input (a category unseen in training).
  static constexpr std::uint32_t kNoInput = ~std::uint32_t{0};

  InputRows() = default;  // no rows, no inputs
  // Every input numeric: x:[rows, width] is the input matrix.
  explicit InputRows(Matrix x);
  // numeric:[rows, n] the numeric inputs, numeric_at[j] (n of them) the input numeric
  // column j is; codes:[rows, text_columns] row-major, each an input (or kNoInput); every
  // input below width, width below kNoInput. Throws Error for any of it broken.
  InputRows(Matrix numeric, std::vector<Index> numeric_at, std::vector<std::uint32_t> codes, Index text_columns,
            Index width);

  Index rows() const { return numeric_.rows(); }
  Index cols() const { return width_; }
  // The rows whose input `input` is not 0 (for a text column's input: the rows of its category).
  Index rows_setting(Index input) const;
  // What it holds in memory.
  std::uint64_t bytes() const;
  // The input matrix, made whole (tests, small data).
  Matrix matrix() const;

 private:
  friend class InputView;
  Matrix numeric_;
  std::vector<Index> numeric_at_;  // empty: numeric column j is input j
  std::vector<std::uint32_t> codes_;
  Index text_columns_ = 0;
  Index width_ = 0;
  bool whole_ = true;  // numeric_ is the input matrix itself
};

// Input rows as the trainer and the predictions read them: a view of an InputRows or of
// an input matrix, neither owned.
class InputView {
 public:
  InputView() = default;                                                   // no rows
  InputView(const InputRows& rows);                                        // NOLINT(implicit)
  InputView(InputRows&&) = delete;                                         // a view of a temporary would dangle
  InputView(ConstMatrixView matrix);                                       // NOLINT(implicit)
  InputView(const Matrix& matrix) : InputView(ConstMatrixView(matrix)) {}  // NOLINT(implicit)
  InputView(MatrixView matrix) : InputView(ConstMatrixView(matrix)) {}     // NOLINT(implicit)

  Index rows() const { return rows_; }
  Index cols() const { return width_; }
  // Whether the rows are a matrix already (no text column): block() copies nothing.
  bool whole() const { return whole_; }

  // out:[rows.size(), width] ← rows `rows` (each below rows()), in that order.
  void take(std::span<const Index> rows, MatrixView out) const;
  // Rows [begin, begin + count): a view of the matrix, or those rows expanded into
  // `scratch` (resized; it allocates only to grow) — valid until scratch changes.
  ConstMatrixView block(Index begin, Index count, Buffer& scratch) const;

 private:
  // out:[width] ← row r.
  void expand(Index r, Scalar* out) const;

  const Scalar* numeric_ = nullptr;
  Index rows_ = 0, numeric_cols_ = 0, width_ = 0;
  const Index* numeric_at_ = nullptr;  // null: numeric column j is input j
  const std::uint32_t* codes_ = nullptr;
  Index text_columns_ = 0;
  bool whole_ = true;  // InputRows::whole_, or a matrix
};

}  // namespace glassnet
