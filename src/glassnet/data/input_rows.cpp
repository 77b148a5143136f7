#include "glassnet/data/input_rows.hpp"

#include <algorithm>
#include <utility>

namespace glassnet {

InputRows::InputRows(Matrix x) : numeric_(std::move(x)), width_(numeric_.cols()) {}

InputRows::InputRows(Matrix numeric, std::vector<Index> numeric_at, std::vector<std::uint32_t> codes,
                     Index text_columns, Index width)
    : numeric_(std::move(numeric)),
      numeric_at_(std::move(numeric_at)),
      codes_(std::move(codes)),
      text_columns_(text_columns),
      width_(width) {
  bool in_order = text_columns_ == 0 && numeric_.cols() == width_;
  for (std::size_t j = 0; in_order && j < numeric_at_.size(); ++j) in_order = numeric_at_[j] == static_cast<Index>(j);
  if (in_order) numeric_at_.clear();  // the input matrix itself
}

Index InputRows::rows_setting(Index input) const {
  Index count = 0;
  for (Index j = 0; j < numeric_.cols(); ++j) {
    if ((numeric_at_.empty() ? j : numeric_at_[static_cast<std::size_t>(j)]) != input) continue;
    for (Index r = 0; r < rows(); ++r) count += numeric_(r, j) != 0;
    return count;
  }
  for (const std::uint32_t code : codes_) count += code == input;
  return count;
}

std::uint64_t InputRows::bytes() const {
  return static_cast<std::uint64_t>(numeric_.size()) * sizeof(Scalar) + codes_.size() * sizeof(std::uint32_t);
}

Matrix InputRows::matrix() const {
  Matrix x(rows(), cols());
  const InputView view(*this);
  for (Index r = 0; r < rows(); ++r) view.take(std::span(&r, 1), MatrixView(x.data() + r * x.cols(), 1, x.cols()));
  return x;
}

InputView::InputView(const InputRows& rows)
    : numeric_(rows.numeric_.data()),
      rows_(rows.rows()),
      numeric_cols_(rows.numeric_.cols()),
      width_(rows.width_),
      numeric_at_(rows.numeric_at_.empty() ? nullptr : rows.numeric_at_.data()),
      codes_(rows.codes_.data()),
      text_columns_(rows.text_columns_),
      whole_(rows.text_columns_ == 0 && rows.numeric_at_.empty()) {}

InputView::InputView(ConstMatrixView matrix)
    : numeric_(matrix.data()), rows_(matrix.rows()), numeric_cols_(matrix.cols()), width_(matrix.cols()) {}

void InputView::expand(Index r, Scalar* out) const {
  const Scalar* numeric = numeric_cols_ > 0 ? numeric_ + r * numeric_cols_ : nullptr;
  if (whole()) {
    // Row-major rows are contiguous: copied whole.
    std::copy_n(numeric, width_, out);
    return;
  }
  std::fill_n(out, width_, Scalar{0});
  for (Index j = 0; j < numeric_cols_; ++j) out[numeric_at_ == nullptr ? j : numeric_at_[j]] = numeric[j];
  const std::uint32_t* codes = codes_ + r * text_columns_;
  for (Index k = 0; k < text_columns_; ++k) {
    if (codes[k] != InputRows::kNoInput) out[codes[k]] = 1;
  }
}

void InputView::take(std::span<const Index> rows, MatrixView out) const {
  for (std::size_t i = 0; i < rows.size(); ++i) expand(rows[i], out.data() + static_cast<Index>(i) * width_);
}

ConstMatrixView InputView::block(Index begin, Index count, Matrix& scratch) const {
  if (whole()) return {numeric_ + begin * width_, count, width_};
  scratch.resize(count, width_);
  for (Index r = 0; r < count; ++r) expand(begin + r, scratch.data() + r * width_);
  return scratch;
}

}  // namespace glassnet
