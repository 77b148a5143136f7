#include "glassnet/train/early_stopping.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

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

void EarlyStopping::check_state(const CallbackState& state, Index epochs) const {
  if (state.numbers.size() != 3) {
    throw Error(fmt::format("early stopping state: expected 3 numbers (best, its epoch, epochs waited), got {}",
                            state.numbers.size()));
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
  if (state.numbers.size() != 3) throw Error("early stopping state: expected 3 numbers");
  best_ = state.numbers[0];
  best_epoch_ = static_cast<Index>(state.numbers[1]);
  wait_ = static_cast<Index>(state.numbers[2]);
  best_values_ = state.values;
}

}  // namespace glassnet
