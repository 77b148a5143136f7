#include "glassnet/nn/sequential.hpp"

#include <fmt/format.h>

#include "glassnet/core/error.hpp"
#include "glassnet/nn/activations.hpp"
#include "glassnet/nn/linear.hpp"

namespace glassnet {

Sequential& Sequential::add(LayerPtr layer) {
  if (!layer) throw Error("Sequential::add: null layer");
  layers_.push_back(std::move(layer));
  return *this;
}

Index Sequential::build(Index in_features, ParamStore& store, const std::string& prefix) {
  if (in_features <= 0) throw Error(fmt::format("network: expected in_features > 0, got {}", in_features));
  in_features_ = in_features;
  out_features_.clear();
  Index features = in_features;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    features = layers_[i]->build(features, store, fmt::format("{}{}.", prefix, i));
    out_features_.push_back(features);
  }
  // Resolve `automatic` initialisers from the activation that follows each Linear
  // (past normalisation and dropout), and give He a following LeakyReLU's slope.
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    auto* linear = dynamic_cast<Linear*>(layers_[i].get());
    if (linear == nullptr) continue;
    std::size_t j = i + 1;
    while (j < layers_.size() && (layers_[j]->kind() == "batch_norm" || layers_[j]->kind() == "layer_norm" ||
                                  layers_[j]->kind() == "dropout")) {
      ++j;
    }
    const auto* next = j < layers_.size() ? dynamic_cast<const ElementwiseLayer*>(layers_[j].get()) : nullptr;
    const auto* leaky = dynamic_cast<const LeakyReLU*>(next);
    const double slope = leaky != nullptr ? leaky->slope() : 0.0;
    InitScheme scheme = linear->init();
    if (scheme == InitScheme::automatic) {
      const bool relu_family = next != nullptr && is_relu_family(next->activation());
      scheme = relu_family ? InitScheme::he_normal : InitScheme::xavier_normal;
    }
    linear->set_init(scheme, slope);
  }
  if (!layers_.empty()) layers_.front()->set_input_gradient_needed(input_gradient_needed());
  return features;
}

void Sequential::initialize(Rng& rng) {
  for (auto& layer : layers_) layer->initialize(rng);
}

ConstMatrixView Sequential::forward(ConstMatrixView x, Mode mode) {
  if (x.cols() != in_features_) {
    throw Error(fmt::format("network input has {} features; the network was built for {}", x.cols(), in_features_));
  }
  input_ = x;
  SavedView y = x;
  for (auto& layer : layers_) y = layer->forward(y.view(), mode);
  return y.view();
}

ConstMatrixView Sequential::backward(ConstMatrixView dy) {
  const ConstMatrixView y = output();
  if (dy.rows() != y.rows() || dy.cols() != y.cols()) {
    throw Error(fmt::format("network backward: dy is [{}, {}]; expected the output's shape [{}, {}]", dy.rows(),
                            dy.cols(), y.rows(), y.cols()));
  }
  if (!layers_.empty()) layers_.front()->set_input_gradient_needed(input_gradient_needed());
  SavedView d = dy;
  for (auto it = layers_.rbegin(); it != layers_.rend(); ++it) d = (*it)->backward(d.view());
  return d.view();
}

ConstMatrixView Sequential::output() const { return layers_.empty() ? input_.view() : layers_.back()->output(); }

Index Sequential::floats_per_row(bool input_gradient) const {
  Index floats = 0;
  for (std::size_t i = 0; i < layers_.size(); ++i) floats += layers_[i]->floats_per_row(i == 0 ? input_gradient : true);
  return floats;
}

void Sequential::collect_rngs(std::vector<Rng*>& rngs) {
  for (auto& layer : layers_) layer->collect_rngs(rngs);
}

void Sequential::join_batch_split(BatchSplit* split, int part) {
  for (auto& layer : layers_) layer->join_batch_split(split, part);
}

Index Sequential::out_features() const { return out_features_.empty() ? in_features_ : out_features_.back(); }

}  // namespace glassnet
