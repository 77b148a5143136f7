#pragma once
// The Layer interface and its contract, stated once for every layer.
//
//   build(in_features, store, prefix) -> out_features
//       Registers the layer's parameters in `store`, named `prefix` + "weight" etc.
//       Called once, before anything else.
//   initialize(rng)
//       Draws initial parameter values. Layers without parameters do nothing.
//   forward(x, mode) -> y
//       x:[B, in]  y:[B, out]. y is a view of a buffer the layer owns; it stays valid
//       and unchanged until the layer's next forward. The layer may keep a view of x
//       for its backward: x must stay valid and unchanged until backward returns.
//   backward(dy) -> dx
//       dy:[B, out] is dLoss/dy for the batch of the last forward.
//       ASSIGNS dx = dLoss/dx (a view of a buffer the layer owns) and ACCUMULATES
//       dLoss/dθ into the gradient of every trainable parameter θ.
//       Calling backward twice with the same dy therefore doubles the parameter
//       gradients and returns the same dx. When the input gradient is not needed
//       (set_input_gradient_needed(false), as for a network's first layer) dx is empty.
//
// A batch may be split across threads, each part through a network of its own that
// shares the parameters (nn/batch_split.hpp): join_batch_split tells a layer its part.
// Layers that sum over the batch's rows add those sums across the parts; the others
// ignore it. Containers pass it to their layers.
//
// Stochastic layers (Dropout) draw from an Rng of their own, seeded by initialize;
// collect_rngs hands out those generators so that checkpoints can save them and the
// gradient checker can replay the same draws.
//
// A steady-state forward/backward allocates no memory: buffers grow to the largest
// batch seen and are reused. Diagnostic code reads the views layers expose
// (output(), parameters in the store); layers know nothing of diagnostics.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "glassnet/core/matrix.hpp"
#include "glassnet/core/rng.hpp"
#include "glassnet/nn/param_store.hpp"

namespace glassnet {

class BatchSplit;

enum class Mode { train, eval };

class Layer {
 public:
  virtual ~Layer() = default;

  // The layer kind as users write it: "linear", "relu", "sigmoid", ...
  virtual std::string_view kind() const = 0;
  // A one-line description with the layer's settings: "linear(64)", "leaky_relu(0.01)".
  virtual std::string describe() const { return std::string(kind()); }

  virtual Index build(Index in_features, ParamStore& store, const std::string& prefix) = 0;
  virtual void initialize(Rng& /*rng*/) {}
  virtual ConstMatrixView forward(ConstMatrixView x, Mode mode) = 0;
  virtual ConstMatrixView backward(ConstMatrixView dy) = 0;

  // The y of the last forward.
  virtual ConstMatrixView output() const = 0;

  // The floats this layer's buffers hold per batch row once a training forward and
  // backward have run: outputs, saved intermediates, and the input gradient when
  // `input_gradient`. Its memory is this times the largest batch seen. Known after build.
  virtual Index floats_per_row(bool /*input_gradient*/) const { return 0; }

  // Appends the random generators of this layer (and of the layers inside it).
  virtual void collect_rngs(std::vector<Rng*>& /*rngs*/) {}

  // This layer computes part `part` of batches split by `split` (nullptr: none).
  virtual void join_batch_split(BatchSplit* /*split*/, int /*part*/) {}

  void set_input_gradient_needed(bool needed) { input_gradient_needed_ = needed; }
  bool input_gradient_needed() const { return input_gradient_needed_; }

 private:
  bool input_gradient_needed_ = true;
};

using LayerPtr = std::unique_ptr<Layer>;

}  // namespace glassnet
