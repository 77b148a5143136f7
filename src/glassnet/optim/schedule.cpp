#include "glassnet/optim/schedule.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "glassnet/core/error.hpp"

namespace glassnet {

double ConstantSchedule::learning_rate(long /*epoch*/, double base) const { return base; }

StepSchedule::StepSchedule(long step_size, double gamma) : step_size_(step_size), gamma_(gamma) {
  if (step_size <= 0) throw Error(fmt::format("step schedule: expected a step size > 0, got {}", step_size));
  if (!(gamma > 0.0 && gamma <= 1.0))
    throw Error(fmt::format("step schedule: expected gamma in (0, 1], got {}", gamma));
}

double StepSchedule::learning_rate(long epoch, double base) const {
  return base * std::pow(gamma_, static_cast<double>(epoch / step_size_));
}

ExponentialSchedule::ExponentialSchedule(double gamma) : gamma_(gamma) {
  if (!(gamma > 0.0 && gamma <= 1.0)) {
    throw Error(fmt::format("exponential schedule: expected gamma in (0, 1], got {}", gamma));
  }
}

double ExponentialSchedule::learning_rate(long epoch, double base) const {
  return base * std::pow(gamma_, static_cast<double>(epoch));
}

CosineSchedule::CosineSchedule(long total_epochs, long warmup_epochs, double min_learning_rate)
    : total_(total_epochs), warmup_(warmup_epochs), min_(min_learning_rate) {
  if (total_epochs <= 0) throw Error(fmt::format("cosine schedule: expected total epochs > 0, got {}", total_epochs));
  if (warmup_epochs < 0 || warmup_epochs >= total_epochs) {
    throw Error(fmt::format("cosine schedule: expected 0 ≤ warm-up epochs < {}, got {}", total_epochs, warmup_epochs));
  }
  if (!(min_learning_rate >= 0.0)) throw Error("cosine schedule: expected a minimum learning rate ≥ 0");
}

double CosineSchedule::learning_rate(long epoch, double base) const {
  if (epoch < warmup_) return base * static_cast<double>(epoch + 1) / static_cast<double>(warmup_ + 1);
  const double progress =
      static_cast<double>(std::min(epoch, total_) - warmup_) / static_cast<double>(total_ - warmup_);
  return min_ + (base - min_) * (1.0 + std::cos(std::numbers::pi * progress)) / 2.0;
}

PlateauSchedule::PlateauSchedule(PlateauOptions options) : options_(options) {
  if (!(options.factor > 0.0 && options.factor < 1.0)) {
    throw Error(fmt::format("plateau schedule: expected a factor in (0, 1), got {}", options.factor));
  }
  if (options.patience < 0) throw Error("plateau schedule: expected patience ≥ 0");
}

double PlateauSchedule::learning_rate(long /*epoch*/, double base) const {
  return std::max(options_.min_learning_rate, base * std::pow(options_.factor, static_cast<double>(state_.reductions)));
}

void PlateauSchedule::on_epoch_end(std::optional<double> metric) {
  if (!metric) throw Error("plateau schedule: needs a monitored metric after every epoch");
  if (!state_.has_best || *metric < state_.best * (1.0 - options_.threshold)) {
    state_.best = *metric;
    state_.has_best = true;
    state_.bad_epochs = 0;
    return;
  }
  if (++state_.bad_epochs > options_.patience) {
    ++state_.reductions;
    state_.bad_epochs = 0;
  }
}

}  // namespace glassnet
