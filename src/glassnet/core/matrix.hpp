#pragma once
// Matrices: Eigen, row-major, one sample per row ("batch = rows").
//
//   Matrix          owning [rows, cols]
//   MatrixView      non-owning, mutable view of contiguous row-major storage
//   ConstMatrixView non-owning, read-only view
//   Buffer          owning storage that only grows: resizing to a shape that fits the
//                   capacity never allocates, so a training step can reuse it forever.
//
// Views are how layers, losses and the gemm entry point pass data: a pointer and two
// sizes, no copies and no temporaries.

#include <Eigen/Core>
#include <vector>

#include "glassnet/core/build_check.hpp"
#include "glassnet/core/scalar.hpp"

namespace glassnet {

using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowVector = Eigen::Matrix<Scalar, 1, Eigen::Dynamic>;
using MatrixView = Eigen::Map<Matrix>;

// A read-only view. Unlike a plain Eigen::Map<const Matrix> it converts implicitly from
// a MatrixView and from a Matrix, so read-only parameters accept either.
class ConstMatrixView : public Eigen::Map<const Matrix> {
 public:
  using Base = Eigen::Map<const Matrix>;
  using Base::Base;
  ConstMatrixView(const Base& other) : Base(other.data(), other.rows(), other.cols()) {}        // NOLINT
  ConstMatrixView(const MatrixView& other) : Base(other.data(), other.rows(), other.cols()) {}  // NOLINT
  ConstMatrixView(const Matrix& other) : Base(other.data(), other.rows(), other.cols()) {}      // NOLINT
  ConstMatrixView(const ConstMatrixView& other) : Base(other.data(), other.rows(), other.cols()) {}
  ConstMatrixView& operator=(const ConstMatrixView&) = delete;  // a view is not re-seated
};

inline MatrixView view(Matrix& m) { return {m.data(), m.rows(), m.cols()}; }
inline ConstMatrixView view(const Matrix& m) { return {m.data(), m.rows(), m.cols()}; }

// An empty view: the "not computed" value (for example a first layer's input gradient).
inline ConstMatrixView empty_view() { return {nullptr, 0, 0}; }

// A view that can be stored and re-pointed: Eigen maps cannot be re-seated by
// assignment (assigning a Map copies the elements), so layers keep this for backward.
class SavedView {
 public:
  SavedView() = default;
  SavedView(ConstMatrixView v) : data_(v.data()), rows_(v.rows()), cols_(v.cols()) {}  // NOLINT(implicit)
  SavedView(MatrixView v) : data_(v.data()), rows_(v.rows()), cols_(v.cols()) {}       // NOLINT(implicit)
  ConstMatrixView view() const { return {data_, rows_, cols_}; }

 private:
  const Scalar* data_ = nullptr;
  Index rows_ = 0;
  Index cols_ = 0;
};

class Buffer {
 public:
  Buffer() = default;
  Buffer(Index rows, Index cols) { resize(rows, cols); }

  // Sets the shape; allocates only when rows * cols exceeds every earlier shape.
  // The contents are unspecified after a resize.
  void resize(Index rows, Index cols) {
    const auto size = static_cast<std::size_t>(rows * cols);
    if (size > storage_.size()) storage_.resize(size);
    rows_ = rows;
    cols_ = cols;
  }

  Index rows() const { return rows_; }
  Index cols() const { return cols_; }
  Scalar* data() { return storage_.data(); }
  const Scalar* data() const { return storage_.data(); }

  MatrixView view() { return {storage_.data(), rows_, cols_}; }
  ConstMatrixView view() const { return {storage_.data(), rows_, cols_}; }

 private:
  std::vector<Scalar, Eigen::aligned_allocator<Scalar>> storage_;
  Index rows_ = 0;
  Index cols_ = 0;
};

}  // namespace glassnet
