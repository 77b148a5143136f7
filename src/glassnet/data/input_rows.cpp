#include "glassnet/data/input_rows.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "glassnet/core/error.hpp"

namespace glassnet {

InputRows::InputRows(Matrix x) : numeric_(std::move(x)), width_(numeric_.cols()) {}

InputRows::InputRows(Matrix numeric, std::vector<Index> numeric_at, std::vector<std::uint32_t> codes,
                     Index text_columns, Index width)
    : numeric_(std::move(numeric)),
      numeric_at_(std::move(numeric_at)),
      codes_(std::move(codes)),
      text_columns_(text_columns),
      width_(width) {
  if (width_ < 0 || width_ >= static_cast<Index>(kNoInput) || text_columns_ < 0) {
    throw Error(fmt::format("input rows: width {} and {} text columns", width_, text_columns_));
  }
  if (static_cast<Index>(numeric_at_.size()) != numeric_.cols()) {
    throw Error(fmt::format("input rows: {} numeric columns, {} positions", numeric_.cols(), numeric_at_.size()));
  }
  if (static_cast<Index>(codes_.size()) != numeric_.rows() * text_columns_) {
    throw Error(fmt::format("input rows: {} codes for {} rows × {} text columns", codes_.size(), numeric_.rows(),
                            text_columns_));
  }
  const auto outside = [&](Index input) { return input < 0 || input >= width_; };
  if (std::any_of(numeric_at_.begin(), numeric_at_.end(), outside) ||
      std::any_of(codes_.begin(), codes_.end(),
                  [&](std::uint32_t code) { return code != kNoInput && outside(static_cast<Index>(code)); })) {
    throw Error(fmt::format("input rows: an input beyond the width, {}", width_));
  }
  whole_ = text_columns_ == 0 && numeric_.cols() == width_;
  for (std::size_t j = 0; whole_ && j < numeric_at_.size(); ++j) whole_ = numeric_at_[j] == static_cast<Index>(j);
  if (whole_) numeric_at_.clear();  // the input matrix itself
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
      whole_(rows.whole_) {}

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

ConstMatrixView InputView::block(Index begin, Index count, Buffer& scratch) const {
  if (whole()) return {numeric_ + begin * width_, count, width_};
  scratch.resize(count, width_);
  for (Index r = 0; r < count; ++r) expand(begin + r, scratch.data() + r * width_);
  return scratch.view();
}

}  // namespace glassnet
