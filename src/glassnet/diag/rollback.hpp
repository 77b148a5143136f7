#pragma once
// Repair of numerical problems during training, without a restart: a Callback and a
// Recovery (train/trainer.hpp) that watches every step and, on a problem, has the
// trainer roll back to a recent healthy snapshot and continue.
//
//   Every rollback leaves out the step's batch. Then:
//   - diverging (the last 3 steps' gradient norms over 10× the median of the ones
//     before, or fewer than 3 before): divide the learning rate by 10 and clip the
//     gradient norm at the 95th percentile of the norms before;
//   - otherwise, a loss spike (over 10× the median of the 20 steps before, and above the
//     start): the second time also clip as above, from the third also halve the
//     learning rate;
//   - otherwise, a non-finite loss, gradient or weight: from the second time also divide
//     the learning rate by 10.
//
// After max_rollbacks of one kind, the next stops training with TrainingError, whose
// message names the problem and the rollbacks tried — or, with end_when_uncured, ends
// it at the last snapshot as an interrupt would (RecoveryAction::end). A problem that
// comes back within fresh_after steps of the last of its kind counts towards that
// limit; one after a longer healthy stretch was cured, so it counts from one again
// (the learning rate and clip the earlier rollbacks set stay). Every rollback is
// recorded.

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "glassnet/train/callback.hpp"
#include "glassnet/train/trainer.hpp"

namespace glassnet {

struct RollbackOptions {
  Index max_rollbacks = 5;   // of each kind, each within fresh_after steps of the one before
  Index fresh_after = 1000;  // steps
  double spike_factor = 10.0;
  std::size_t spike_window = 20;   // steps in the trailing median
  std::size_t norm_window = 200;   // recent gradient norms kept for the clip
  double clip_percentile = 0.95;
  double growth_factor = 10.0;  // recent gradient norms over their history: diverging
  Index snapshot_every = 50;  // steps
  bool end_when_uncured = false;
};

// One rollback, as it happened.
struct RollbackEvent {
  Index step = 0, epoch = 0;
  std::string problem;  // "non_finite" or "loss_spike"
  std::string detail;   // the trainer's message or the spike's numbers
  std::string action;   // "left out the batch; clipped the gradient norm at 3.2"
};

class RollbackRepair : public Callback, public Recovery {
 public:
  explicit RollbackRepair(RollbackOptions options = {}, std::function<void(const RollbackEvent&)> on_rollback = {});

  // Sets this as the trainer's Recovery and adds it as a callback.
  void attach(Trainer& trainer);

  std::string_view name() const override { return "rollback_repair"; }
  void on_step_end(Trainer& trainer, const StepLogs& logs) override;
  RecoveryAction on_problem(const StepProblem& problem) override;

  const std::vector<RollbackEvent>& events() const { return events_; }
  void set_end_when_uncured(bool end) { options_.end_when_uncured = end; }

 private:
  RollbackOptions options_;
  std::function<void(const RollbackEvent&)> on_rollback_;
  std::deque<double> losses_, norms_;
  double start_loss_ = 0.0;  // median of the first spike_window steps
  std::vector<double> first_losses_;
  struct Episode {
    Index rollbacks = 0;
    Index last_step = 0;
  };
  Episode non_finite_, spikes_;
  std::string spike_detail_;
  std::vector<RollbackEvent> events_;
};

}  // namespace glassnet
