#pragma once
// Sequential: layers applied in order, named by position like torch.nn.Sequential
// ("layers.0.weight" for the first layer's weight). A Sequential is itself a Layer,
// so networks nest.
//
// Building resolves each Linear's `automatic` initialiser from the activation that
// follows it, looking past normalisation and dropout (He before the ReLU family,
// Xavier otherwise), and switches off the input
// gradient of the first layer when the network's own input gradient is not needed.

#include <vector>

#include "glassnet/nn/layer.hpp"

namespace glassnet {

class Sequential : public Layer {
 public:
  Sequential() = default;

  Sequential& add(LayerPtr layer);

  std::string_view kind() const override { return "sequential"; }
  Index build(Index in_features, ParamStore& store, const std::string& prefix) override;
  void initialize(Rng& rng) override;
  ConstMatrixView forward(ConstMatrixView x, Mode mode) override;
  ConstMatrixView backward(ConstMatrixView dy) override;
  ConstMatrixView output() const override;
  void collect_rngs(std::vector<Rng*>& rngs) override;
  void join_batch_split(BatchSplit* split, int part) override;
  Index floats_per_row(bool input_gradient) const override;

  Index size() const { return static_cast<Index>(layers_.size()); }
  Layer& layer(Index i) { return *layers_.at(static_cast<std::size_t>(i)); }
  const Layer& layer(Index i) const { return *layers_.at(static_cast<std::size_t>(i)); }
  // Output features of layer i, known after build.
  Index out_features(Index i) const { return out_features_.at(static_cast<std::size_t>(i)); }
  Index in_features() const { return in_features_; }
  Index out_features() const;

 private:
  std::vector<LayerPtr> layers_;
  std::vector<Index> out_features_;
  Index in_features_ = 0;
  SavedView input_;  // the network's input of the last forward (for an empty network)
};

}  // namespace glassnet
