#include "glassnet/nn/network.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "glassnet/core/error.hpp"
#include "glassnet/nn/batch_norm.hpp"
#include "glassnet/nn/dropout.hpp"
#include "glassnet/nn/layer_norm.hpp"
#include "glassnet/nn/linear.hpp"
#include "glassnet/nn/residual.hpp"

namespace glassnet {

std::string_view normalization_name(Normalization norm) {
  switch (norm) {
    case Normalization::none: return "none";
    case Normalization::batch: return "batch";
    case Normalization::layer: return "layer";
  }
  return "?";
}

std::optional<Normalization> parse_normalization(std::string_view name) {
  for (auto norm : {Normalization::none, Normalization::batch, Normalization::layer}) {
    if (normalization_name(norm) == name) return norm;
  }
  return std::nullopt;
}

Network::Network(const NetworkSpec& spec, Rng& rng) : spec_(spec) {
  if (spec.in_features <= 0) throw Error(fmt::format("network: expected in_features > 0, got {}", spec.in_features));
  if (!(spec.dropout >= 0.0 && spec.dropout < 1.0)) {
    throw Error(fmt::format("network: expected a dropout probability in [0, 1), got {}", spec.dropout));
  }
  if (spec.out_features <= 0) {
    throw Error(fmt::format("network: expected out_features > 0, got {}", spec.out_features));
  }
  Index features = spec.in_features;
  for (std::size_t i = 0; i < spec.hidden.size(); ++i) {
    const Index width = spec.hidden[i];
    if (width <= 0) {
      throw Error(fmt::format("network: hidden layer {} has width {}; expected a positive width", i + 1, width));
    }
    std::vector<LayerPtr> block;
    auto linear = std::make_unique<Linear>(width, true, spec.init);
    linear->set_initial_bias(spec.hidden_bias);
    block.push_back(std::move(linear));
    if (spec.norm == Normalization::batch) block.push_back(std::make_unique<BatchNorm>());
    if (spec.norm == Normalization::layer) block.push_back(std::make_unique<LayerNorm>());
    block.push_back(make_activation(spec.activation, spec.leaky_slope));
    if (spec.dropout > 0.0) block.push_back(std::make_unique<Dropout>(spec.dropout));
    if (spec.residual && width == features) {
      auto body = std::make_unique<Sequential>();
      for (auto& layer : block) body->add(std::move(layer));
      layers_.add(std::make_unique<Residual>(std::move(body)));
    } else {
      for (auto& layer : block) layers_.add(std::move(layer));
    }
    features = width;
  }
  layers_.add(std::make_unique<Linear>(spec.out_features, true, spec.init));
  layers_.set_input_gradient_needed(false);
  layers_.build(spec.in_features, params_, "layers.");
  layers_.initialize(rng);
  scale_residual_branches();
}

void Network::scale_residual_branches() {
  std::vector<Index> blocks;
  for (Index i = 0; i < layers_.size(); ++i) {
    if (dynamic_cast<const Residual*>(&layers_.layer(i)) != nullptr) blocks.push_back(i);
  }
  if (blocks.empty()) return;
  const auto scale = static_cast<Scalar>(1.0 / static_cast<double>(blocks.size()));
  // 1/L rather than 1/√L: a ReLU branch adds a positive mean as well as variance, and
  // with 1/L the L branches together shift the output about as much as one block does.
  // The body is [linear, norm?, activation, dropout?]: with a normalisation its γ sets
  // the branch's scale (the linear's scale would be normalised away), otherwise the
  // linear's weights do. Activations of the ReLU family pass the scale through.
  const bool normalised = spec_.norm != Normalization::none;
  for (Index i : blocks) {
    const auto id = params_.find(fmt::format("layers.{}.body.{}.weight", i, normalised ? 1 : 0));
    params_.value(id) *= scale;
  }
}

Matrix Network::predict(ConstMatrixView x) {
  if (x.cols() != spec_.in_features) {
    throw Error(fmt::format("predict: expected {} input features, got {}", spec_.in_features, x.cols()));
  }
  Matrix out(x.rows(), spec_.out_features);
  for (Index begin = 0; begin < x.rows(); begin += kPredictRows) {
    const Index rows = std::min(kPredictRows, x.rows() - begin);
    const ConstMatrixView logits = forward(ConstMatrixView(x.data() + begin * x.cols(), rows, x.cols()), Mode::eval);
    apply_output_transform(spec_.output, logits, MatrixView(out.data() + begin * out.cols(), rows, out.cols()));
  }
  return out;
}

std::unique_ptr<Network> make_network(const NetworkSpec& spec, Rng& rng) {
  return std::make_unique<Network>(spec, rng);
}

}  // namespace glassnet

namespace glassnet {

Index parameter_count(const NetworkSpec& spec) {
  Index count = 0;
  Index in = spec.in_features;
  for (Index width : spec.hidden) {
    count += in * width + width;
    if (spec.norm == Normalization::batch) count += 4 * width;  // γ, β, running mean and variance
    if (spec.norm == Normalization::layer) count += 2 * width;  // γ, β
    in = width;
  }
  return count + in * spec.out_features + spec.out_features;
}

}  // namespace glassnet
