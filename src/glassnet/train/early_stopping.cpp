#include "glassnet/train/early_stopping.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "glassnet/core/error.hpp"
#include "glassnet/train/trainer.hpp"

namespace glassnet {

EarlyStopping::EarlyStopping(EarlyStoppingOptions options) : options_(options) {
  if (options.patience < 0) throw Error(fmt::format("early stopping: expected patience ≥ 0, got {}", options.patience));
  if (!(options.min_delta >= 0.0)) throw Error("early stopping: expected min_delta ≥ 0");
}

void EarlyStopping::on_train_begin(Trainer& /*trainer*/) { stopped_epoch_ = 0; }

void EarlyStopping::on_epoch_end(Trainer& trainer, const EpochLogs& logs) {
  const double value = options_.monitor == Monitored::val_loss && logs.val_loss ? *logs.val_loss : logs.train_loss;
  if (best_epoch_ == 0 || value < best_ - options_.min_delta) {
    best_ = value;
    best_epoch_ = logs.epoch;
    wait_ = 0;
    if (options_.restore_best) {
      const auto values = trainer.network().params().values();
      best_values_.assign(values.begin(), values.end());
    }
    return;
  }
  if (++wait_ >= options_.patience) {
    stopped_epoch_ = logs.epoch;
    trainer.request_stop();
  }
}

void EarlyStopping::on_train_end(Trainer& trainer) {
  auto values = trainer.network().params().values();
  if (options_.restore_best && !best_values_.empty() && best_values_.size() == values.size()) {
    std::copy(best_values_.begin(), best_values_.end(), values.begin());
  }
}

CallbackState EarlyStopping::state() const {
  return {{best_, static_cast<double>(best_epoch_), static_cast<double>(wait_)}, best_values_};
}

void EarlyStopping::load_state(const CallbackState& state) {
  if (state.numbers.size() != 3) throw Error("early stopping state: expected 3 numbers");
  best_ = state.numbers[0];
  best_epoch_ = static_cast<Index>(state.numbers[1]);
  wait_ = static_cast<Index>(state.numbers[2]);
  best_values_ = state.values;
}

}  // namespace glassnet
