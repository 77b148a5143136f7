#pragma once
// Early stopping, as Keras' EarlyStopping(monitor, patience, min_delta,
// restore_best_weights): after each epoch the monitored loss (lower is better) is
// compared with the best so far; an improvement is a decrease by more than min_delta.
// After `patience` epochs without improvement, training stops. With restore_best, the
// parameters (and buffers) of the best epoch are put back when training ends.
//
// A shorter patience can be given for a run that memorises: its validation loss has not
// improved while its training loss fell well below the best epoch's. A loss stalled on
// both sides may still be a slow start and keeps the full patience.

#include "glassnet/train/callback.hpp"

namespace glassnet {

enum class Monitored { val_loss, train_loss };

struct EarlyStoppingOptions {
  Monitored monitor = Monitored::val_loss;  // falls back to train_loss without validation data
  Index patience = 10;
  double min_delta = 0.0;
  bool restore_best = true;
  // With memorising_patience > 0 and the validation loss monitored, training also stops
  // after memorising_patience epochs without improvement when the epoch's training loss
  // is at most memorising_ratio × the best epoch's.
  Index memorising_patience = 0;
  double memorising_ratio = 0.8;
};

class EarlyStopping : public Callback {
 public:
  explicit EarlyStopping(EarlyStoppingOptions options = {});
  std::string_view name() const override { return "early_stopping"; }
  void on_train_begin(Trainer& trainer) override;
  void on_epoch_end(Trainer& trainer, const EpochLogs& logs) override;
  void on_train_end(Trainer& trainer) override;
  CallbackState state() const override;
  void check_state(const CallbackState& state, Index epochs) const override;
  void load_state(const CallbackState& state) override;

  Index best_epoch() const { return best_epoch_; }
  Index patience() const { return options_.patience; }
  double best() const { return best_; }
  Index stopped_epoch() const { return stopped_epoch_; }  // 0 if it never stopped training
  // Whether its patience has run out: the run it is in has ended (one resumed from a
  // checkpoint written as it stopped).
  bool has_stopped() const { return best_epoch_ > 0 && (wait_ >= options_.patience || memorised_); }
  // Whether it stopped a run that memorises, before the full patience.
  bool stopped_memorising() const { return memorised_; }
  Index epochs_waited() const { return wait_; }
  // The parameters (and buffers) of the best epoch so far; empty without restore_best.
  const std::vector<Scalar>& best_values() const { return best_values_; }

 private:
  EarlyStoppingOptions options_;
  double best_ = 0.0;
  Index best_epoch_ = 0;  // 0: no epoch seen yet
  double best_train_loss_ = 0.0;  // the training loss of the best epoch (NaN: unknown)
  bool memorised_ = false;        // stopped by the shorter patience
  Index wait_ = 0;
  Index stopped_epoch_ = 0;
  std::vector<Scalar> best_values_;
};

}  // namespace glassnet
