#include "glassnet/train/early_stopping.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "glassnet/core/error.hpp"
#include "glassnet/train/trainer.hpp"

namespace glassnet {

namespace {
constexpr std::size_t kNumbers = 5;  // in its state (3 in checkpoints of older versions)
}  // namespace

EarlyStopping::EarlyStopping(EarlyStoppingOptions options) : options_(options) {
  if (options.patience < 0) throw Error(fmt::format("early stopping: expected patience ≥ 0, got {}", options.patience));
  if (!(options.min_delta >= 0.0)) throw Error("early stopping: expected min_delta ≥ 0");
  if (options.memorising_patience < 0) {
    throw Error(fmt::format("early stopping: expected memorising_patience ≥ 0, got {}", options.memorising_patience));
  }
  if (!(options.memorising_ratio > 0.0 && options.memorising_ratio < 1.0)) {
    throw Error(fmt::format("early stopping: expected 0 < memorising_ratio < 1, got {}", options.memorising_ratio));
  }
}

void EarlyStopping::on_train_begin(Trainer& /*trainer*/) { stopped_epoch_ = 0; }

void EarlyStopping::on_epoch_end(Trainer& trainer, const EpochLogs& logs) {
  const bool on_validation = options_.monitor == Monitored::val_loss && logs.val_loss;
  const double value = on_validation ? *logs.val_loss : logs.train_loss;
  if (best_epoch_ == 0 || value < best_ - options_.min_delta) {
    best_ = value;
    best_train_loss_ = logs.train_loss;
    best_epoch_ = logs.epoch;
    wait_ = 0;
    memorised_ = false;
    if (options_.restore_best) {
      const auto values = trainer.network().params().values();
      best_values_.assign(values.begin(), values.end());
    }
    return;
  }
  ++wait_;
  const bool memorising = on_validation && options_.memorising_patience > 0 && wait_ >= options_.memorising_patience &&
                          logs.train_loss <= options_.memorising_ratio * best_train_loss_;
  if (wait_ >= options_.patience || memorising) {
    memorised_ = wait_ < options_.patience;
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
  return {
      {best_, static_cast<double>(best_epoch_), static_cast<double>(wait_), best_train_loss_, memorised_ ? 1.0 : 0.0},
      best_values_};
}

void EarlyStopping::check_state(const CallbackState& state, Index epochs) const {
  // A checkpoint written before the shorter patience of a run that memorises has 3.
  if (state.numbers.size() != 3 && state.numbers.size() != kNumbers) {
    throw Error(
        fmt::format("early stopping state: expected {} numbers (best, its epoch, epochs waited, its training "
                    "loss, whether it stopped a run that memorises), got {}",
                    kNumbers, state.numbers.size()));
  }
  if (state.numbers.size() == kNumbers && state.numbers[4] != 0.0 && state.numbers[4] != 1.0) {
    throw Error(fmt::format("early stopping state: whether it stopped a run that memorises is {}, not 0 or 1",
                            state.numbers[4]));
  }
  // Epoch counts: whole numbers, exactly representable (2^53).
  constexpr double kLargest = 9007199254740992.0;
  const auto count = [](double v) { return v >= 0 && v <= kLargest && v == std::floor(v); };
  const double best_epoch = state.numbers[1], wait = state.numbers[2];
  if (!count(best_epoch) || !count(wait)) {
    throw Error(
        fmt::format("early stopping state: the best epoch ({}) and the epochs waited ({}) must be whole "
                    "numbers ≥ 0",
                    best_epoch, wait));
  }
  if (best_epoch > static_cast<double>(epochs) || wait > static_cast<double>(epochs)) {
    throw Error(fmt::format("early stopping state: best epoch {}, {} epochs waited, after {} epochs", best_epoch, wait,
                            epochs));
  }
  for (std::size_t k = 0; k < state.values.size(); ++k) {
    if (!std::isfinite(state.values[k])) {
      throw Error(
          fmt::format("early stopping state: the best epoch's weights hold {} at offset {}", state.values[k], k));
    }
  }
}

void EarlyStopping::load_state(const CallbackState& state) {
  if (state.numbers.size() != 3 && state.numbers.size() != kNumbers) {
    throw Error(fmt::format("early stopping state: expected 3 or {} numbers", kNumbers));
  }
  best_ = state.numbers[0];
  best_epoch_ = static_cast<Index>(state.numbers[1]);
  wait_ = static_cast<Index>(state.numbers[2]);
  // A state of 3 numbers has no best epoch's training loss: NaN, which no training loss
  // is at or below, so the shorter patience waits for the next best epoch.
  const bool complete = state.numbers.size() == kNumbers;
  best_train_loss_ = complete ? state.numbers[3] : std::numeric_limits<double>::quiet_NaN();
  memorised_ = complete && state.numbers[4] == 1.0;
  best_values_ = state.values;
}

}  // namespace glassnet
