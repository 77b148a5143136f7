#include "glassnet/core/column_sums.hpp"

#include <gtest/gtest.h>

#include "glassnet/core/rng.hpp"
#include "test_support.hpp"

namespace glassnet {
namespace {

TEST(ColumnSums, AddTheSumDownEachColumnToWhatIsThere) {
  Rng rng(4);
  const Matrix x = testing::random_matrix(37, 21, rng);
  Matrix sums = Matrix::Constant(1, 21, Scalar(0.5));
  add_column_sums(x, view(sums));
  for (Index j = 0; j < x.cols(); ++j) {
    double expected = 0.5;
    for (Index i = 0; i < x.rows(); ++i) expected += x(i, j);
    EXPECT_NEAR(sums(0, j), expected, 1e-5) << "column " << j;
  }
}

TEST(ColumnSums, OfProductsAddTheSumOfElementwiseProducts) {
  Rng rng(5);
  const Matrix a = testing::random_matrix(19, 40, rng), b = testing::random_matrix(19, 40, rng);
  Matrix sums = Matrix::Constant(1, 40, Scalar(-1));
  add_column_sums_of_products(a, b, view(sums));
  for (Index j = 0; j < a.cols(); ++j) {
    double expected = -1;
    for (Index i = 0; i < a.rows(); ++i) expected += double(a(i, j)) * double(b(i, j));
    EXPECT_NEAR(sums(0, j), expected, 1e-5) << "column " << j;
  }
}

}  // namespace
}  // namespace glassnet
