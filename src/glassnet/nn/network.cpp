#include "glassnet/nn/network.hpp"

#include <fmt/format.h>

#include "glassnet/core/error.hpp"
#include "glassnet/nn/linear.hpp"

namespace glassnet {

Network::Network(const NetworkSpec& spec, Rng& rng) : spec_(spec) {
  if (spec.in_features <= 0) throw Error(fmt::format("network: expected in_features > 0, got {}", spec.in_features));
  if (spec.out_features <= 0) {
    throw Error(fmt::format("network: expected out_features > 0, got {}", spec.out_features));
  }
  for (std::size_t i = 0; i < spec.hidden.size(); ++i) {
    if (spec.hidden[i] <= 0) {
      throw Error(
          fmt::format("network: hidden layer {} has width {}; expected a positive width", i + 1, spec.hidden[i]));
    }
    auto linear = std::make_unique<Linear>(spec.hidden[i], true, spec.init);
    linear->set_initial_bias(spec.hidden_bias);
    layers_.add(std::move(linear));
    layers_.add(make_activation(spec.activation, spec.leaky_slope));
  }
  layers_.add(std::make_unique<Linear>(spec.out_features, true, spec.init));
  layers_.set_input_gradient_needed(false);
  layers_.build(spec.in_features, params_, "layers.");
  layers_.initialize(rng);
}

Matrix Network::predict(ConstMatrixView x) {
  if (x.cols() != spec_.in_features) {
    throw Error(fmt::format("predict: expected {} input features, got {}", spec_.in_features, x.cols()));
  }
  const ConstMatrixView logits = forward(x, Mode::eval);
  Matrix out(logits.rows(), logits.cols());
  apply_output_transform(spec_.output, logits, view(out));
  return out;
}

std::unique_ptr<Network> make_network(const NetworkSpec& spec, Rng& rng) {
  return std::make_unique<Network>(spec, rng);
}

}  // namespace glassnet
