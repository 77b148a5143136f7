#pragma once
// Element-wise activation layers. Each is its own layer, so the monitor sees every
// pre-activation z (the previous layer's output) and activation a (this one's).
//
//   identity     a = z
//   sigmoid      a = 1 / (1 + e^-z)                    a' = a (1 - a)
//   tanh         a = tanh z                            a' = 1 - a^2
//   relu         a = max(z, 0)                         a' = [z > 0]
//   leaky_relu   a = z if z > 0 else slope z           a' = 1 or slope
//   gelu         a = z Φ(z) = z/2 (1 + erf(z/√2))      a' = Φ(z) + z φ(z)
//   gelu_tanh    a = z/2 (1 + tanh(√(2/π)(z + 0.044715 z^3)))
// (the derivative at a kink, z = 0, is taken as 0 for relu and slope for leaky_relu.)

#include <optional>
#include <string_view>

#include "glassnet/nn/layer.hpp"

namespace glassnet {

enum class Activation { identity, sigmoid, tanh, relu, leaky_relu, gelu, gelu_tanh };

// Names as users write them: identity, sigmoid, tanh, relu, leaky-relu, gelu, gelu-tanh.
std::string_view activation_name(Activation activation);
std::optional<Activation> parse_activation(std::string_view name);
// True for the ReLU family, before which He initialisation is the default.
bool is_relu_family(Activation activation);
// The layer for an activation; `slope` is LeakyReLU's negative slope.
LayerPtr make_activation(Activation activation, double slope = 0.01);

// Shared mechanics: no parameters, output shape = input shape, owned y and dx buffers.
class ElementwiseLayer : public Layer {
 public:
  Index build(Index in_features, ParamStore& store, const std::string& prefix) override;
  ConstMatrixView forward(ConstMatrixView x, Mode mode) override;
  ConstMatrixView backward(ConstMatrixView dy) override;
  ConstMatrixView output() const override { return y_.view(); }
  Index floats_per_row(bool input_gradient) const override { return width_ * (input_gradient ? 2 : 1); }
  // The x of the last forward (the pre-activations), for diagnostics: valid while the
  // layer that produced it keeps its output.
  ConstMatrixView input() const { return x_.view(); }

  virtual Activation activation() const = 0;

 protected:
  // y = f(x); all [B, n].
  virtual void apply(ConstMatrixView x, MatrixView y) const = 0;
  // dx = dy ⊙ f'(x), given x and y = f(x); all [B, n].
  virtual void gradient(ConstMatrixView x, ConstMatrixView y, ConstMatrixView dy, MatrixView dx) const = 0;

 private:
  Index width_ = 0;
  SavedView x_;
  Buffer y_;
  Buffer dx_;
};

class Identity : public Layer {
 public:
  std::string_view kind() const override { return "identity"; }
  Index build(Index in_features, ParamStore& store, const std::string& prefix) override;
  // y is x itself and dx is dy itself: no copies.
  ConstMatrixView forward(ConstMatrixView x, Mode mode) override;
  ConstMatrixView backward(ConstMatrixView dy) override;
  ConstMatrixView output() const override { return y_.view(); }

 private:
  SavedView y_;
};

class Sigmoid : public ElementwiseLayer {
 public:
  std::string_view kind() const override { return "sigmoid"; }
  Activation activation() const override { return Activation::sigmoid; }

 protected:
  void apply(ConstMatrixView x, MatrixView y) const override;
  void gradient(ConstMatrixView x, ConstMatrixView y, ConstMatrixView dy, MatrixView dx) const override;
};

class Tanh : public ElementwiseLayer {
 public:
  std::string_view kind() const override { return "tanh"; }
  Activation activation() const override { return Activation::tanh; }

 protected:
  void apply(ConstMatrixView x, MatrixView y) const override;
  void gradient(ConstMatrixView x, ConstMatrixView y, ConstMatrixView dy, MatrixView dx) const override;
};

class ReLU : public ElementwiseLayer {
 public:
  std::string_view kind() const override { return "relu"; }
  Activation activation() const override { return Activation::relu; }

 protected:
  void apply(ConstMatrixView x, MatrixView y) const override;
  void gradient(ConstMatrixView x, ConstMatrixView y, ConstMatrixView dy, MatrixView dx) const override;
};

class LeakyReLU : public ElementwiseLayer {
 public:
  explicit LeakyReLU(double slope = 0.01);
  std::string_view kind() const override { return "leaky_relu"; }
  std::string describe() const override;
  Activation activation() const override { return Activation::leaky_relu; }
  double slope() const { return slope_; }

 protected:
  void apply(ConstMatrixView x, MatrixView y) const override;
  void gradient(ConstMatrixView x, ConstMatrixView y, ConstMatrixView dy, MatrixView dx) const override;

 private:
  double slope_;
};

class GELU : public ElementwiseLayer {
 public:
  // approximate = false: the exact erf form; true: the tanh approximation.
  explicit GELU(bool approximate = false) : approximate_(approximate) {}
  std::string_view kind() const override { return approximate_ ? "gelu_tanh" : "gelu"; }
  Activation activation() const override { return approximate_ ? Activation::gelu_tanh : Activation::gelu; }

 protected:
  void apply(ConstMatrixView x, MatrixView y) const override;
  void gradient(ConstMatrixView x, ConstMatrixView y, ConstMatrixView dy, MatrixView dx) const override;

 private:
  bool approximate_;
};

}  // namespace glassnet
