// A single neuron, by hand and through glassnet's layers: inputs [0.85, 0.60],
// weights [0.40, 0.35], bias -0.20.
//   z = 0.85·0.40 + 0.60·0.35 − 0.20 = 0.3500
//   sigmoid(z) = 0.5866 (58.7 % confidence)      relu(z) = 0.3500

#include <fmt/format.h>

#include "glassnet/nn/activations.hpp"
#include "glassnet/nn/linear.hpp"

int main() {
  using namespace glassnet;
  ParamStore params;
  Linear neuron(1);
  neuron.build(2, params, "neuron.");
  params.value(neuron.weight_id()) << Scalar(0.40), Scalar(0.35);  // W:[1, 2]
  params.value(neuron.bias_id()) << Scalar(-0.20);                 // b:[1]

  Matrix x(1, 2);  // one sample, x:[1, 2]
  x << Scalar(0.85), Scalar(0.60);
  const ConstMatrixView z = neuron.forward(view(x), Mode::eval);

  Sigmoid sigmoid;
  ReLU relu;
  sigmoid.build(1, params, "");
  relu.build(1, params, "");
  const double confidence = sigmoid.forward(z, Mode::eval)(0, 0);
  const double rectified = relu.forward(z, Mode::eval)(0, 0);

  fmt::print("inputs    [0.85, 0.60]\nweights   [0.40, 0.35]\nbias      -0.20\n\n");
  fmt::print("weighted sum  z = 0.85*0.40 + 0.60*0.35 - 0.20 = {:.4f}\n", z(0, 0));
  fmt::print("sigmoid(z)    = {:.4f}  ({:.1f} % confidence)\n", confidence, 100.0 * confidence);
  fmt::print("relu(z)       = {:.4f}\n", rectified);
  return 0;
}
