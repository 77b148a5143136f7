#pragma once
// The training loop.
//
//   Trainer trainer(network, loss, optimizer);
//   trainer.set_schedule(std::make_unique<CosineSchedule>(20));
//   trainer.add_callback(early_stopping);
//   trainer.fit({x, y}, {.epochs = 20, .batch_size = 64, .seed = 1}, &validation);
//
// Data: x:[N, in], targets:[N, T] (the loss's layout), sample weights empty or N.
// Each epoch visits every row once, in an order drawn from the trainer's Rng (seeded
// from options.seed): the same seed and thread count give bit-identical weights.
// Each optimizer step:
//   zero gradients; for each of `accumulation_steps` micro-batches: forward (training
//   mode), loss, backward with the micro-batch's share of the step's weight, so the
//   step equals one batch `accumulation_steps` times larger; global gradient norm;
//   clipping (by norm, then by value); optimizer update; on_step_end callbacks.
// Each epoch: the schedule sets the learning rate at its start; validation (evaluation
// mode, no gradients) and on_epoch_end callbacks at its end.
// A non-finite loss, gradient or weight stops training at once with TrainingError
// naming the step and the first tensor concerned. A steady-state step allocates no
// memory.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "glassnet/core/matrix.hpp"
#include "glassnet/loss/loss.hpp"
#include "glassnet/nn/network.hpp"
#include "glassnet/optim/optimizer.hpp"
#include "glassnet/optim/schedule.hpp"
#include "glassnet/train/callback.hpp"

namespace glassnet {

struct DataView {
  ConstMatrixView x;
  ConstMatrixView targets;
  std::span<const Scalar> sample_weights = {};
};

struct FitOptions {
  Index epochs = 10;      // the last epoch to train (a resumed run continues to it)
  Index batch_size = 32;  // rows per micro-batch; the last of an epoch may be smaller
  std::uint64_t seed = 0;
  bool shuffle = true;
  Index accumulation_steps = 1;  // micro-batches per optimizer step
  double clip_norm = 0.0;        // clip the global gradient norm to this (0: off)
  double clip_value = 0.0;       // clamp each gradient to ±this (0: off)
};

class Trainer {
 public:
  Trainer(Network& network, const Loss& loss, Optimizer& optimizer);

  // The learning-rate schedule (default: constant at the optimizer's initial rate).
  void set_schedule(std::unique_ptr<Schedule> schedule);
  // Callbacks run in the order added; the trainer does not own them.
  void add_callback(Callback& callback);

  // Trains until options.epochs (or a callback stops it). Returns every epoch's logs.
  std::vector<EpochLogs> fit(const DataView& train, const FitOptions& options, const DataView* validation = nullptr);

  // One optimizer step on one batch (no accumulation, no clipping, no callbacks).
  // Returns the batch loss. Throws TrainingError if the loss is not finite.
  double step(ConstMatrixView x, ConstMatrixView targets, std::span<const Scalar> sample_weights = {});

  // Mean loss over all rows in evaluation mode, in batches of batch_size; no gradients.
  double evaluate(const DataView& data, Index batch_size = 1024);
  struct Evaluation {
    double loss = 0.0;
    std::optional<double> accuracy;  // classification losses (Loss::count_correct), unweighted
  };
  Evaluation evaluate_with_accuracy(const DataView& data, Index batch_size = 1024);

  // Asks fit to stop after the current epoch.
  void request_stop() { stop_requested_ = true; }
  // A flag (set from a signal handler, say) that fit polls after every optimizer step:
  // when it becomes true, training stops at once, the partial epoch is not counted,
  // and on_train_end callbacks run. interrupted() tells afterwards.
  void set_interrupt_flag(const std::atomic<bool>* flag) { interrupt_ = flag; }
  bool interrupted() const { return interrupted_; }

  // Writes everything a bit-identical resume needs: parameters and buffers, optimizer,
  // schedule and callback state, the random generators, and the epoch. Atomic.
  void save_checkpoint(const std::filesystem::path& path) const;
  // Restores a checkpoint written by save_checkpoint for the same network, optimizer,
  // schedule and callbacks; the next fit continues after its epoch. Throws Error on any
  // mismatch, before changing anything.
  void load_checkpoint(const std::filesystem::path& path);

  Network& network() { return network_; }
  const Network& network() const { return network_; }
  Optimizer& optimizer() { return optimizer_; }
  Index steps() const { return steps_; }
  Index epoch() const { return epoch_; }  // epochs completed
  double base_learning_rate() const { return base_learning_rate_; }

 private:
  // Forward and backward of one micro-batch, gradients scaled by `share`. Returns its loss.
  double accumulate(ConstMatrixView x, ConstMatrixView targets, std::span<const Scalar> sample_weights, double share);
  // Throws TrainingError naming the first parameter whose norm in `norms` is not finite.
  [[noreturn]] void throw_non_finite(std::string_view what, std::span<const double> norms, double loss) const;
  // Copies rows of `data` into the batch buffers.
  void gather(const DataView& data, std::span<const Index> rows);

  Network& network_;
  const Loss& loss_;
  Optimizer& optimizer_;
  std::unique_ptr<Schedule> schedule_;
  std::vector<Callback*> callbacks_;
  double base_learning_rate_;
  Rng rng_;
  bool rng_seeded_ = false;  // by the first fit, or by load_checkpoint
  Index steps_ = 0;
  Index epoch_ = 0;
  bool stop_requested_ = false;
  const std::atomic<bool>* interrupt_ = nullptr;
  bool interrupted_ = false;
  std::vector<Index> order_;
  std::vector<double> grad_norms_;  // per parameter, this step, before clipping
  Buffer batch_x_;
  Buffer batch_targets_;
  std::vector<Scalar> batch_weights_;
  Buffer dlogits_;
  Index epoch_correct_ = 0, epoch_counted_ = 0;  // this epoch's batches, as trained
};

}  // namespace glassnet
