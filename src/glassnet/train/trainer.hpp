#pragma once
// The training loop.
//
//   Trainer trainer(network, loss, optimizer);
//   trainer.set_schedule(std::make_unique<CosineSchedule>(20));
//   trainer.add_callback(early_stopping);
//   trainer.fit({x, y}, {.epochs = 20, .batch_size = 64, .seed = 1}, &validation);
//
// Data: x:[N, in] — a matrix, or data/input_rows.hpp's InputRows, whose rows are
// expanded a batch at a time — targets:[N, T] (the loss's layout), sample weights empty or N.
// Each epoch visits every row once, in an order drawn from the trainer's Rng (seeded
// from options.seed): the same seed and thread count give bit-identical weights.
// Each optimizer step:
//   zero gradients; for each of `accumulation_steps` micro-batches: forward (training
//   mode), loss, backward with the micro-batch's share of the step's weight, so the
//   step equals one batch `accumulation_steps` times larger; global gradient norm;
//   clipping (by norm, then by value); optimizer update; on_step_end callbacks.
// With two threads or more, a micro-batch of small products is split across them, each
// thread taking its rows through the whole network (train/split_step.hpp: when); the
// layers then hold the batch in parts (last_batch_parts).
// Each epoch: the schedule sets the learning rate at its start; validation (evaluation
// mode, no gradients) and on_epoch_end callbacks at its end.
// A non-finite loss, gradient or weight stops training at once with TrainingError
// naming the step and the first tensor concerned — unless a Recovery is set: then the
// trainer keeps snapshots (parameters, buffers and optimizer state, at the start of each
// epoch and every `snapshot_every` steps; the older of the last two is restored), and
// on a problem asks the Recovery what to do: stop, or roll back to the snapshot and
// continue within the same epoch and data order, perhaps leaving out the step's batch,
// with a lower learning rate or a gradient-norm clip. A callback can ask for the same
// (request_rollback) after a step it finds wrong, such as a loss spike. Steps undone by
// a rollback still count in steps() (the step numbers the monitor sees keep rising);
// the optimizer's own step counts go back with its state. A steady-state step
// allocates no memory (snapshots, with a Recovery set, copy the parameters and
// optimizer state).

#include <array>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "glassnet/core/matrix.hpp"
#include "glassnet/data/input_rows.hpp"
#include "glassnet/loss/loss.hpp"
#include "glassnet/nn/network.hpp"
#include "glassnet/optim/optimizer.hpp"
#include "glassnet/optim/schedule.hpp"
#include "glassnet/train/callback.hpp"
#include "glassnet/train/split_step.hpp"

namespace glassnet {

struct DataView {
  InputView x;
  ConstMatrixView targets;
  std::span<const Scalar> sample_weights = {};
};

// A problem in a step, for a Recovery.
struct StepProblem {
  enum class Kind { non_finite, requested } kind = Kind::non_finite;
  Index step = 0;  // the step that showed it (1-based)
  Index epoch = 0;
  std::string what;         // the trainer's message, or the reason given to request_rollback
  Index batch_begin = 0;    // the step's first position in the epoch's order
};

// What to do about a problem.
struct RecoveryAction {
  bool recover = false;     // false: stop with TrainingError (or end, below)
  bool skip_batch = false;  // leave the step's rows out for the rest of the epoch
  double lr_factor = 1.0;   // multiplies the learning rate from now on
  double clip_norm = 0.0;   // clip the global gradient norm to this from now on (0: unchanged)
  std::string note;         // when stopping: added to the TrainingError's message
  // When not recovering: end training here, at the snapshot, as an interrupt does — the
  // partial epoch is not counted and on_train_end callbacks run (early stopping puts
  // the best epoch's weights back) — instead of throwing. Trainer::ended_by() says why.
  bool end = false;
};

class Recovery {
 public:
  virtual ~Recovery() = default;
  virtual RecoveryAction on_problem(const StepProblem& problem) = 0;
};

struct FitOptions {
  Index epochs = 10;      // the last epoch to train (a resumed run continues to it)
  // Rows per micro-batch; the last of an epoch may be smaller. With batch normalisation
  // a last micro-batch of one row is left out of its epoch (one row has no batch statistics).
  Index batch_size = 32;
  std::uint64_t seed = 0;
  bool shuffle = true;
  Index accumulation_steps = 1;  // micro-batches per optimizer step
  double clip_norm = 0.0;        // clip the global gradient norm to this (0: off)
  double clip_value = 0.0;       // clamp each gradient to ±this (0: off)
  // Pause after this epoch (0: never): fit returns there with the training still open
  // (on_train_end not run), and the next fit call, with the same options, carries on
  // from it (on_train_begin not run again), exactly as one uninterrupted call would.
  Index pause_after = 0;
};

class Trainer {
 public:
  Trainer(Network& network, const Loss& loss, Optimizer& optimizer);

  // The learning-rate schedule (default: constant at the optimizer's initial rate).
  void set_schedule(std::unique_ptr<Schedule> schedule);
  // Callbacks run in the order added; the trainer does not own them.
  void add_callback(Callback& callback);

  // Trains until options.epochs (or a callback stops it, or options.pause_after).
  // Returns the logs of the epochs this call trained.
  std::vector<EpochLogs> fit(const DataView& train, const FitOptions& options, const DataView* validation = nullptr);
  // The last fit call paused (FitOptions::pause_after) and the training is still open.
  bool paused() const { return paused_; }

  // One optimizer step on one batch (no accumulation, no clipping, no callbacks).
  // Returns the batch loss. Throws TrainingError if the loss is not finite.
  double step(ConstMatrixView x, ConstMatrixView targets, std::span<const Scalar> sample_weights = {});

  // Mean loss over all rows in evaluation mode, in batches of batch_size; no gradients.
  static constexpr Index kEvaluationBatch = Network::kPredictRows;
  double evaluate(const DataView& data, Index batch_size = kEvaluationBatch);
  struct Evaluation {
    double loss = 0.0;
    std::optional<double> accuracy;  // classification losses (Loss::count_correct), unweighted
  };
  Evaluation evaluate_with_accuracy(const DataView& data, Index batch_size = kEvaluationBatch);

  // Asks fit to stop after the current epoch.
  void request_stop() { stop_requested_ = true; }
  // Rollback on problems (above); nullptr: off. The trainer does not own the Recovery.
  void set_recovery(Recovery* recovery, Index snapshot_every = 50);
  // From on_step_end: the step just taken went wrong; the Recovery decides.
  void request_rollback(std::string reason) { rollback_request_ = std::move(reason); }
  // The learning rate's multiplier and the gradient clip that recoveries set.
  double recovery_lr_scale() const { return lr_scale_; }
  double recovery_clip_norm() const { return recovery_clip_; }
  // A flag (set from a signal handler, say) that fit polls after every optimizer step:
  // when it becomes true, training stops at once, the partial epoch is not counted,
  // and on_train_end callbacks run. interrupted() tells afterwards.
  void set_interrupt_flag(const std::atomic<bool>* flag) { interrupt_ = flag; }
  bool interrupted() const { return interrupted_; }
  // Why the Recovery ended the last fit (RecoveryAction::end): the problem and its
  // note; empty when it did not.
  const std::string& ended_by() const { return ended_by_; }
  // The non-finite value that stopped the last step tried, if one did: the step of a
  // TrainingError, or of a problem a Recovery answered (nullopt after a step that
  // completed, or one stopped by a requested rollback).
  const std::optional<NonFinite>& failed_step() const { return failed_step_; }

  // Writes everything a bit-identical resume needs: parameters and buffers, optimizer,
  // schedule and callback state, the random generators, and the epoch. Atomic.
  void save_checkpoint(const std::filesystem::path& path) const;
  // Restores a checkpoint written by save_checkpoint for the same network, optimizer,
  // schedule and callbacks; the next fit continues after its epoch. Throws Error on any
  // mismatch, before changing anything.
  void load_checkpoint(const std::filesystem::path& path);
  // The options of the run, as a JSON object of option → value ({"--lr": "0.001", ...}),
  // which checkpoints store as metadata "run"; load_checkpoint refuses a checkpoint whose
  // stored options differ from these, naming each difference (a resumed run takes the
  // options of the run it continues). Empty: none stored, none compared.
  void set_run_options(std::string json_object) { run_options_ = std::move(json_object); }

  // The networks that hold the last micro-batch's layer inputs and outputs, part by part
  // in row order: the network alone, or for a batch split across the threads, the network
  // and its copies (train/split_step.hpp). For callbacks that read the layers.
  std::span<Network* const> last_batch_parts() const {
    return last_split_ ? split_->networks() : std::span<Network* const>(whole_);
  }

  Network& network() { return network_; }
  const Network& network() const { return network_; }
  Optimizer& optimizer() { return optimizer_; }
  Index steps() const { return steps_; }
  Index epoch() const { return epoch_; }  // epochs completed
  double base_learning_rate() const { return base_learning_rate_; }

 private:
  // evaluate_with_accuracy on data already checked (fit's validation, each epoch).
  Evaluation evaluate_checked(const DataView& data, Index batch_size);
  // The threads a micro-batch of `rows` rows is split across (1: not split).
  int split_parts(Index rows);
  // Forward and backward of one micro-batch, gradients scaled by `share`. Returns its loss.
  double accumulate(ConstMatrixView x, ConstMatrixView targets, std::span<const Scalar> sample_weights, double share);
  // Throws TrainingError naming the first parameter whose norm in `norms` is not finite.
  [[noreturn]] void throw_non_finite(std::string_view what, std::span<const double> norms, double loss);
  // Copies rows of `data` into the batch buffers.
  void gather(const DataView& data, std::span<const Index> rows);

  // Where an epoch stands.
  struct Position {
    Index begin = 0;        // the next position in the epoch's order
    double loss_sum = 0.0;  // Σ step loss × rows over the steps done
    Index rows_done = 0;
  };
  struct Snapshot {
    std::vector<Scalar> values;
    Optimizer::State optimizer;
    Position at;
    Index correct = 0, counted = 0;
    Index steps = 0;  // steps() when taken
  };
  void take_snapshot(const Position& at);
  Position restore_snapshot();

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
  std::string ended_by_;
  std::string run_options_;  // set_run_options
  std::optional<NonFinite> failed_step_;
  bool paused_ = false;
  std::vector<Index> order_;
  std::vector<double> grad_norms_;  // per parameter, this step, before clipping
  Buffer batch_x_;
  Buffer block_x_;  // an evaluation block of rows held as InputRows, expanded
  Buffer batch_targets_;
  std::vector<Scalar> batch_weights_;
  Buffer dlogits_;
  std::unique_ptr<SplitStep> split_;             // made on the first split micro-batch
  std::optional<Index> largest_weight_;          // SplitStep::largest_weight, or 0 when it does not support the network
  bool last_split_ = false;                      // the last micro-batch was split
  std::array<Network*, 1> whole_;                // last_batch_parts when not split
  Index epoch_correct_ = 0, epoch_counted_ = 0;  // this epoch's batches, as trained
  Recovery* recovery_ = nullptr;
  Index snapshot_every_ = 50;
  std::vector<Snapshot> snapshots_;  // at most two, within the current epoch
  std::vector<Index> skipped_;       // batch positions left out of this epoch
  double lr_scale_ = 1.0;
  double recovery_clip_ = 0.0;
  std::optional<std::string> rollback_request_;
};

}  // namespace glassnet
