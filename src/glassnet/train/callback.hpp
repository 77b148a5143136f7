#pragma once
// Callbacks plug into the training loop (Trainer::fit):
//   on_train_begin → (on_step_end after every optimizer step)* → on_epoch_end per epoch
//   → on_train_end
// on_step_end is the hook the monitor uses; on_epoch_end may ask the trainer to stop.
// A callback that reads the layers' inputs and outputs after a step reads them from every
// network of Trainer::last_batch_parts(): a batch split across the threads leaves each
// part's rows in a network of its own.
// A callback whose decisions depend on history saves that history in checkpoints
// (state / load_state), so that a resumed run decides exactly as an uninterrupted one.

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "glassnet/core/scalar.hpp"

namespace glassnet {

class Trainer;

struct StepLogs {
  Index step = 0;          // optimizer steps so far, this one included (1-based)
  Index epoch = 0;         // 1-based
  double loss = 0.0;       // mean loss of the step's rows, before the update
  double grad_norm = 0.0;  // global L2 norm of the gradients before clipping
  double learning_rate = 0.0;
  // Per parameter, in the store's order: the L2 norm of its gradient before clipping
  // (0 for frozen parameters and buffers).
  std::span<const double> param_grad_norms;
};

struct EpochLogs {
  Index epoch = 0;                 // 1-based
  double train_loss = 0.0;         // mean loss over the epoch's rows, as trained
  std::optional<double> val_loss;  // mean validation loss in evaluation mode, if there is validation data
  // Classification losses: the fraction of rows whose prediction is right, over the
  // epoch's batches as trained (like train_loss) and on the validation data.
  std::optional<double> train_accuracy, val_accuracy;
  double learning_rate = 0.0;      // used during the epoch
  double seconds = 0.0;            // wall time of the epoch
};

// A non-finite value that stopped a step: the step (1-based), what it was ("loss",
// "gradient" or "weight") and the tensor it was first found in ("layers.0.weight";
// empty for the loss).
struct NonFinite {
  Index step = 0;
  std::string tensor;
  std::string what;
};

// A callback's saved history: plain numbers, and optionally one vector of values.
struct CallbackState {
  std::vector<double> numbers;
  std::vector<Scalar> values;
};

class Callback {
 public:
  virtual ~Callback() = default;
  // A stable name, used as the key of its state in checkpoints.
  virtual std::string_view name() const = 0;
  virtual void on_train_begin(Trainer& /*trainer*/) {}
  virtual void on_step_end(Trainer& /*trainer*/, const StepLogs& /*logs*/) {}
  virtual void on_epoch_end(Trainer& /*trainer*/, const EpochLogs& /*logs*/) {}
  virtual void on_train_end(Trainer& /*trainer*/) {}
  virtual CallbackState state() const { return {}; }
  // Throws Error if `state` is not one state() could have returned after `epochs`
  // epochs (a checkpoint's, checked before anything of it is loaded).
  virtual void check_state(const CallbackState& /*state*/, Index /*epochs*/) const {}
  // Requires a state check_state accepts.
  virtual void load_state(const CallbackState& /*state*/) {}
};

// A callback from a function called after every epoch (for progress printing, tests).
class OnEpochEnd : public Callback {
 public:
  explicit OnEpochEnd(std::function<void(const EpochLogs&)> function) : function_(std::move(function)) {}
  std::string_view name() const override { return "on_epoch_end"; }
  void on_epoch_end(Trainer& /*trainer*/, const EpochLogs& logs) override { function_(logs); }

 private:
  std::function<void(const EpochLogs&)> function_;
};

}  // namespace glassnet
