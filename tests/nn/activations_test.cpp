#include "glassnet/nn/activations.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "glassnet/core/error.hpp"

namespace glassnet {
namespace {

// Applies `activation` to the row x and returns the result.
Matrix apply(Activation activation, const Matrix& x, double slope = 0.01) {
  ParamStore params;
  LayerPtr layer = make_activation(activation, slope);
  layer->build(x.cols(), params, "");
  return layer->forward(x, Mode::eval);
}

Matrix row(std::initializer_list<double> values) {
  Matrix m(1, static_cast<Index>(values.size()));
  Index i = 0;
  for (double v : values) m(0, i++) = static_cast<Scalar>(v);
  return m;
}

constexpr double kActivationTol = kDoublePrecision ? 1e-12 : 2e-6;

TEST(Activations, KnownValues) {
  const Matrix x = row({-2.0, -0.5, 0.0, 0.35, 3.0});
  const Matrix sigmoid = apply(Activation::sigmoid, x);
  EXPECT_NEAR(sigmoid(0, 0), 0.11920292202211755, kActivationTol);
  EXPECT_NEAR(sigmoid(0, 2), 0.5, kActivationTol);
  EXPECT_NEAR(sigmoid(0, 3), 0.5866175789173301, kActivationTol);
  const Matrix tanh = apply(Activation::tanh, x);
  EXPECT_NEAR(tanh(0, 1), -0.46211715726000974, kActivationTol);
  EXPECT_NEAR(tanh(0, 4), 0.9950547536867305, kActivationTol);
  EXPECT_EQ(apply(Activation::relu, x), row({0, 0, 0, 0.35, 3.0}));
  const Matrix leaky = apply(Activation::leaky_relu, x, 0.1);
  EXPECT_NEAR(leaky(0, 0), -0.2, kActivationTol);
  EXPECT_NEAR(leaky(0, 4), 3.0, kActivationTol);
  EXPECT_EQ(apply(Activation::identity, x), x);
  // GELU reference values: z·Φ(z), and PyTorch's tanh approximation.
  const Matrix gelu = apply(Activation::gelu, x);
  EXPECT_NEAR(gelu(0, 0), -0.04550026389635842, kActivationTol);
  EXPECT_NEAR(gelu(0, 1), -0.15426876936299344, kActivationTol);
  EXPECT_NEAR(gelu(0, 4), 2.99595030590511, kActivationTol);
  const Matrix gelu_tanh = apply(Activation::gelu_tanh, x);
  EXPECT_NEAR(gelu_tanh(0, 0), -0.04540230591222494, kActivationTol);
  EXPECT_NEAR(gelu_tanh(0, 4), 2.996362607918227, kActivationTol);
}

TEST(Activations, SigmoidAndTanhStayFiniteAndBoundedForHugeInputs) {
  const Matrix x = row({-1e30, -1000, 1000, 1e30});
  for (Activation a : {Activation::sigmoid, Activation::tanh}) {
    const Matrix y = apply(a, x);
    EXPECT_TRUE(y.allFinite());
    EXPECT_LE(y.maxCoeff(), 1);
    EXPECT_GE(y.minCoeff(), -1);
  }
}

TEST(Activations, NamesRoundTrip) {
  for (Activation a : {Activation::identity, Activation::sigmoid, Activation::tanh, Activation::relu,
                       Activation::leaky_relu, Activation::gelu, Activation::gelu_tanh}) {
    EXPECT_EQ(parse_activation(activation_name(a)), a);
  }
  EXPECT_FALSE(parse_activation("swish"));
  EXPECT_TRUE(is_relu_family(Activation::gelu));
  EXPECT_FALSE(is_relu_family(Activation::tanh));
}

TEST(Activations, LeakyReluRejectsASlopeOutsideZeroToOne) {
  EXPECT_THROW(LeakyReLU(-0.1), Error);
  EXPECT_THROW(LeakyReLU(1.0), Error);
  EXPECT_NO_THROW(LeakyReLU(0.0));
}

}  // namespace
}  // namespace glassnet
