#pragma once
// Helpers shared by the unit tests.

#include <functional>
#include <string>
#include <vector>

#include "glassnet/core/matrix.hpp"
#include "glassnet/core/rng.hpp"
#include "glassnet/nn/activations.hpp"
#include "glassnet/nn/linear.hpp"

namespace glassnet::testing {

inline Matrix random_matrix(Index rows, Index cols, Rng& rng, double stddev = 1.0) {
  Matrix m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<Scalar>(rng.normal(0.0, stddev));
  return m;
}

// Every layer kind of the library, each with a name for test messages.
struct LayerFactory {
  std::string name;
  std::function<LayerPtr()> make;
};

inline std::vector<LayerFactory> every_layer() {
  return {
      {"linear", [] { return std::make_unique<Linear>(3); }},
      {"linear_without_bias", [] { return std::make_unique<Linear>(3, false); }},
      {"identity", [] { return make_activation(Activation::identity); }},
      {"sigmoid", [] { return make_activation(Activation::sigmoid); }},
      {"tanh", [] { return make_activation(Activation::tanh); }},
      {"relu", [] { return make_activation(Activation::relu); }},
      {"leaky_relu", [] { return make_activation(Activation::leaky_relu, 0.1); }},
      {"gelu", [] { return make_activation(Activation::gelu); }},
      {"gelu_tanh", [] { return make_activation(Activation::gelu_tanh); }},
  };
}

inline constexpr Activation kEveryActivation[] = {Activation::identity, Activation::sigmoid,    Activation::tanh,
                                                  Activation::relu,     Activation::leaky_relu, Activation::gelu,
                                                  Activation::gelu_tanh};

}  // namespace glassnet::testing
