#include "glassnet/nn/linear.hpp"

#include <gtest/gtest.h>

#include "glassnet/core/error.hpp"

namespace glassnet {
namespace {

TEST(Linear, ForwardAndBackwardByHand) {
  ParamStore params;
  Linear layer(2);
  ASSERT_EQ(layer.build(3, params, "fc."), 2);
  EXPECT_EQ(params.info(layer.weight_id()).shape, (std::vector<Index>{2, 3}));
  EXPECT_EQ(params.info(layer.bias_id()).shape, (std::vector<Index>{2}));
  params.value(layer.weight_id()) << 1, 2, 3, -1, 0, 1;  // W:[2, 3]
  params.value(layer.bias_id()) << Scalar(0.5), -1;      // b:[2]
  Matrix x(2, 3);
  x << 1, 0, -1, 2, 1, 1;
  const Matrix y = layer.forward(x, Mode::train);
  Matrix expected_y(2, 2);
  expected_y << 1 - 3 + 0.5, -1 - 1 - 1, 2 + 2 + 3 + 0.5, -2 + 1 - 1;  // y = x W^T + b
  EXPECT_EQ(y, expected_y);

  Matrix dy(2, 2);
  dy << 1, 0, 0, 1;
  const Matrix dx = layer.backward(dy);
  Matrix expected_dx(2, 3);  // dx = dy W
  expected_dx << 1, 2, 3, -1, 0, 1;
  EXPECT_EQ(dx, expected_dx);
  Matrix expected_dw(2, 3);  // dW = dy^T x
  expected_dw << 1, 0, -1, 2, 1, 1;
  EXPECT_EQ(Matrix(params.grad(layer.weight_id())), expected_dw);
  Matrix expected_db(1, 2);  // db = Σ_B dy
  expected_db << 1, 1;
  EXPECT_EQ(Matrix(params.grad(layer.bias_id())), expected_db);
}

TEST(Linear, FrozenParametersGetNoGradient) {
  ParamStore params;
  Linear layer(2);
  layer.build(3, params, "fc.");
  params.freeze("fc.");
  Rng rng(1);
  layer.initialize(rng);
  const Matrix x = Matrix::Ones(4, 3);
  layer.forward(x, Mode::train);
  const Matrix dx = layer.backward(Matrix(Matrix::Ones(4, 2)));
  EXPECT_EQ(dx.rows(), 4) << "the input gradient still flows through a frozen layer";
  for (Scalar g : params.grads()) EXPECT_EQ(g, 0);
}

TEST(Linear, RejectsANonPositiveWidth) { EXPECT_THROW(Linear(0), Error); }

}  // namespace
}  // namespace glassnet
