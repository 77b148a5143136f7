#include "glassnet/nn/activations.hpp"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <numbers>
#include <utility>

#include "glassnet/core/error.hpp"
#include "glassnet/core/row_parts.hpp"

namespace glassnet {
namespace {

constexpr std::array<std::pair<Activation, std::string_view>, 7> kActivationNames{{
    {Activation::identity, "identity"},
    {Activation::sigmoid, "sigmoid"},
    {Activation::tanh, "tanh"},
    {Activation::relu, "relu"},
    {Activation::leaky_relu, "leaky-relu"},
    {Activation::gelu, "gelu"},
    {Activation::gelu_tanh, "gelu-tanh"},
}};

// GELU's tanh approximation: u = √(2/π)(z + 0.044715 z^3).
constexpr double kGeluTanhScale = 0.7978845608028654;  // √(2/π)
constexpr double kGeluTanhCubic = 0.044715;
constexpr double kInvSqrt2 = 0.7071067811865476;  // 1/√2

}  // namespace

std::string_view activation_name(Activation activation) {
  for (const auto& [a, name] : kActivationNames) {
    if (a == activation) return name;
  }
  return "?";
}

std::optional<Activation> parse_activation(std::string_view name) {
  for (const auto& [a, n] : kActivationNames) {
    if (n == name) return a;
  }
  return std::nullopt;
}

bool is_relu_family(Activation activation) {
  return activation == Activation::relu || activation == Activation::leaky_relu || activation == Activation::gelu ||
         activation == Activation::gelu_tanh;
}

LayerPtr make_activation(Activation activation, double slope) {
  switch (activation) {
    case Activation::identity: return std::make_unique<Identity>();
    case Activation::sigmoid: return std::make_unique<Sigmoid>();
    case Activation::tanh: return std::make_unique<Tanh>();
    case Activation::relu: return std::make_unique<ReLU>();
    case Activation::leaky_relu: return std::make_unique<LeakyReLU>(slope);
    case Activation::gelu: return std::make_unique<GELU>(false);
    case Activation::gelu_tanh: return std::make_unique<GELU>(true);
  }
  throw Error("make_activation: unknown activation");
}

Index ElementwiseLayer::build(Index in_features, ParamStore& /*store*/, const std::string& /*prefix*/) {
  width_ = in_features;
  return in_features;
}

ConstMatrixView ElementwiseLayer::forward(ConstMatrixView x, Mode /*mode*/) {
  x_ = x;
  y_.resize(x.rows(), x.cols());
  MatrixView y = y_.view();
  for_row_parts(x.rows(), x.cols(),
                [&](Index begin, Index end) { apply(row_range(x, begin, end), row_range(y, begin, end)); });
  return y_.view();
}

ConstMatrixView ElementwiseLayer::backward(ConstMatrixView dy) {
  if (!input_gradient_needed()) return empty_view();
  dx_.resize(dy.rows(), dy.cols());
  const ConstMatrixView x = x_.view(), y = y_.view();
  MatrixView dx = dx_.view();
  for_row_parts(dy.rows(), dy.cols(), [&](Index begin, Index end) {
    gradient(row_range(x, begin, end), row_range(y, begin, end), row_range(dy, begin, end), row_range(dx, begin, end));
  });
  return dx_.view();
}

Index Identity::build(Index in_features, ParamStore& /*store*/, const std::string& /*prefix*/) { return in_features; }

ConstMatrixView Identity::forward(ConstMatrixView x, Mode /*mode*/) {
  y_ = x;
  return x;
}

ConstMatrixView Identity::backward(ConstMatrixView dy) { return input_gradient_needed() ? dy : empty_view(); }

void Sigmoid::apply(ConstMatrixView x, MatrixView y) const { y.array() = x.array().logistic(); }

void Sigmoid::gradient(ConstMatrixView /*x*/, ConstMatrixView y, ConstMatrixView dy, MatrixView dx) const {
  dx.array() = dy.array() * y.array() * (Scalar(1) - y.array());
}

void Tanh::apply(ConstMatrixView x, MatrixView y) const { y.array() = x.array().tanh(); }

void Tanh::gradient(ConstMatrixView /*x*/, ConstMatrixView y, ConstMatrixView dy, MatrixView dx) const {
  dx.array() = dy.array() * (Scalar(1) - y.array().square());
}

void ReLU::apply(ConstMatrixView x, MatrixView y) const { y.array() = x.array().max(Scalar(0)); }

void ReLU::gradient(ConstMatrixView x, ConstMatrixView /*y*/, ConstMatrixView dy, MatrixView dx) const {
  // A plain loop: Eigen 3.4 does not vectorize select().
  const Scalar* in = x.data();
  const Scalar* upstream = dy.data();
  Scalar* out = dx.data();
  const Index size = x.size();
#pragma omp simd
  for (Index i = 0; i < size; ++i) out[i] = in[i] > Scalar(0) ? upstream[i] : Scalar(0);
}

LeakyReLU::LeakyReLU(double slope) : slope_(slope) {
  if (!(slope >= 0.0 && slope < 1.0)) {
    throw Error(fmt::format("leaky_relu: expected a negative slope in [0, 1), got {}", slope));
  }
}

std::string LeakyReLU::describe() const { return fmt::format("leaky_relu({})", slope_); }

void LeakyReLU::apply(ConstMatrixView x, MatrixView y) const {
  const auto slope = static_cast<Scalar>(slope_);
  y.array() = (x.array() > Scalar(0)).select(x.array(), slope * x.array());
}

void LeakyReLU::gradient(ConstMatrixView x, ConstMatrixView /*y*/, ConstMatrixView dy, MatrixView dx) const {
  const auto slope = static_cast<Scalar>(slope_);
  dx.array() = (x.array() > Scalar(0)).select(dy.array(), slope * dy.array());
}

void GELU::apply(ConstMatrixView x, MatrixView y) const {
  if (approximate_) {
    y = x.unaryExpr([](Scalar z) {
      const double u = kGeluTanhScale * (z + kGeluTanhCubic * z * z * z);
      return static_cast<Scalar>(0.5 * z * (1.0 + std::tanh(u)));
    });
  } else {
    y = x.unaryExpr([](Scalar z) { return static_cast<Scalar>(0.5 * z * (1.0 + std::erf(z * kInvSqrt2))); });
  }
}

void GELU::gradient(ConstMatrixView x, ConstMatrixView /*y*/, ConstMatrixView dy, MatrixView dx) const {
  if (approximate_) {
    dx = x.binaryExpr(dy, [](Scalar z, Scalar g) {
      const double z2 = static_cast<double>(z) * z;
      const double t = std::tanh(kGeluTanhScale * (z + kGeluTanhCubic * z2 * z));
      const double du = kGeluTanhScale * (1.0 + 3.0 * kGeluTanhCubic * z2);
      return static_cast<Scalar>(g * (0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * du));
    });
  } else {
    dx = x.binaryExpr(dy, [](Scalar z, Scalar g) {
      const double cdf = 0.5 * (1.0 + std::erf(z * kInvSqrt2));
      const double pdf = std::exp(-0.5 * static_cast<double>(z) * z) * std::numbers::inv_sqrtpi *
                         kInvSqrt2;  // φ(z) = e^(-z²/2) / √(2π)
      return static_cast<Scalar>(g * (cdf + z * pdf));
    });
  }
}

}  // namespace glassnet
