#pragma once
// The mini-batch training loop.
//
//   Trainer trainer(network, loss, optimizer);
//   trainer.fit(x, targets, {.epochs = 20, .batch_size = 64, .seed = 1}, on_epoch_end);
//
// x:[N, in]  targets:[N, T] (the loss's target layout)  sample_weights: empty or N.
// Each epoch visits every row once, in an order shuffled by an Rng seeded from
// `seed`: the same seed gives the same batches and bit-identical weights.
// A steady-state step allocates no memory.

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "glassnet/core/matrix.hpp"
#include "glassnet/loss/loss.hpp"
#include "glassnet/nn/network.hpp"
#include "glassnet/optim/optimizer.hpp"

namespace glassnet {

struct FitOptions {
  Index epochs = 10;
  Index batch_size = 32;  // the last batch of an epoch may be smaller
  std::uint64_t seed = 0;
  bool shuffle = true;
};

struct EpochSummary {
  Index epoch = 0;          // 1-based
  double train_loss = 0.0;  // mean loss over the epoch's samples, as trained
};

class Trainer {
 public:
  Trainer(Network& network, const Loss& loss, Optimizer& optimizer);

  // One optimisation step: forward in training mode, loss, backward, update.
  // Returns the batch loss. Throws TrainingError if the loss is not finite.
  double step(ConstMatrixView x, ConstMatrixView targets, std::span<const Scalar> sample_weights = {});

  // Runs options.epochs epochs; calls on_epoch_end after each. Returns every epoch's summary.
  std::vector<EpochSummary> fit(ConstMatrixView x, ConstMatrixView targets, const FitOptions& options,
                                const std::function<void(const EpochSummary&)>& on_epoch_end = {},
                                std::span<const Scalar> sample_weights = {});

  // Mean loss over all rows in evaluation mode, in batches of batch_size; no gradients.
  double evaluate(ConstMatrixView x, ConstMatrixView targets, Index batch_size = 1024,
                  std::span<const Scalar> sample_weights = {});

  Index steps() const { return steps_; }

 private:
  // Copies the rows order[begin, end) of x, targets and weights into the batch buffers.
  void gather(ConstMatrixView x, ConstMatrixView targets, std::span<const Scalar> sample_weights,
              std::span<const Index> rows);

  Network& network_;
  const Loss& loss_;
  Optimizer& optimizer_;
  Buffer batch_x_;
  Buffer batch_targets_;
  std::vector<Scalar> batch_weights_;
  Buffer dlogits_;
  Index steps_ = 0;
};

}  // namespace glassnet
