#pragma once
// A feed-forward network built from a spec, with its parameters.
//
//   NetworkSpec{in_features = 2, hidden = {4, 4}, activation = relu, out_features = 1}
//   builds  layers.0 linear(4)  layers.1 relu  layers.2 linear(4)  layers.3 relu
//           layers.4 linear(1)
// Each hidden layer is Linear → [BatchNorm | LayerNorm] → activation → [Dropout].
// With `residual`, every hidden layer whose width equals its input's becomes a
// residual block y = x + f(x) over that sequence ("layers.2.body.0.weight"). Each
// branch f starts scaled by 1/L for L residual blocks (the linear's weights, or the
// normalisation's γ when there is one), so that the output's scale at initialisation
// stays bounded at any depth instead of growing with every block.
// The last Linear produces logits; `output` turns them into predictions.
//
// A Network owns its ParamStore and its layers, which point into the store, so it is
// neither copyable nor movable: hold it by unique_ptr (make_network).

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "glassnet/nn/activations.hpp"
#include "glassnet/nn/init.hpp"
#include "glassnet/nn/output_transform.hpp"
#include "glassnet/nn/param_store.hpp"
#include "glassnet/nn/sequential.hpp"

namespace glassnet {

enum class Normalization { none, batch, layer };

std::string_view normalization_name(Normalization norm);
std::optional<Normalization> parse_normalization(std::string_view name);

struct NetworkSpec {
  Index in_features = 0;
  std::vector<Index> hidden;  // widths of the hidden layers
  Activation activation = Activation::relu;
  double leaky_slope = 0.01;  // for Activation::leaky_relu
  Index out_features = 1;
  InitScheme init = InitScheme::automatic;
  // Initial value of the hidden layers' biases (the output layer's start at 0). A small
  // positive value keeps more ReLU units active on the first steps.
  Scalar hidden_bias = 0;
  OutputTransform output = OutputTransform::sigmoid;
  Normalization norm = Normalization::none;
  double dropout = 0.0;  // probability, after each hidden activation
  bool residual = false;
};

class Network {
 public:
  // Builds the layers of `spec` and draws initial weights from `rng`.
  Network(const NetworkSpec& spec, Rng& rng);
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  const NetworkSpec& spec() const { return spec_; }
  Sequential& layers() { return layers_; }
  const Sequential& layers() const { return layers_; }
  ParamStore& params() { return params_; }
  const ParamStore& params() const { return params_; }

  // logits:[B, out] for x:[B, in]; a view valid until the next forward.
  ConstMatrixView forward(ConstMatrixView x, Mode mode) { return layers_.forward(x, mode); }
  // Predictions (probabilities or values) in evaluation mode, kPredictRows rows at a
  // time so that the layers' buffers stay small. x:[B, in]  → [B, out]
  Matrix predict(ConstMatrixView x);
  // Also the trainer's evaluation batch. 256 rows keep a layer of 32 units within a
  // 32 KiB buffer: at 1,024 rows (128 KiB, where the C library maps fresh pages) the
  // first forward pass of a 12-layer network spent 10 ms touching new memory, which
  // every repair trial paid again (0.3 ms once touched).
  static constexpr Index kPredictRows = 256;

  // The floats the layers' buffers hold per batch row after training steps; the
  // network's working memory is this times the largest batch (nn/layer.hpp).
  Index floats_per_row() const { return layers_.floats_per_row(false); }

 private:
  // Multiplies each residual branch by 1/L at initialisation (L residual blocks).
  void scale_residual_branches();

  NetworkSpec spec_;
  ParamStore params_;
  Sequential layers_;
};

std::unique_ptr<Network> make_network(const NetworkSpec& spec, Rng& rng);

// The number of values (parameters and buffers) a network of `spec` holds, computed
// without building it.
Index parameter_count(const NetworkSpec& spec);

}  // namespace glassnet
