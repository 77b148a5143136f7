#pragma once
// Learning-rate schedules, independent of the optimizer: the trainer asks the schedule
// for the rate at the start of every epoch e (0-based) and sets it on the optimizer.
// `base` is the optimizer's initial learning rate.
//
//   constant        lr = base
//   step            lr = base · γ^⌊e / step_size⌋                         (torch StepLR)
//   exponential     lr = base · γ^e                                        (torch ExponentialLR)
//   cosine          lr = base · (e + 1) / (W + 1)                  for e < W (linear warm-up)
//                   lr = η_min + (base − η_min) (1 + cos(π (e − W) / (T − W))) / 2   otherwise
//                   (T: total epochs; without warm-up, torch CosineAnnealingLR with T_max = T)
//   plateau         lr = base · factor^k, k = the number of reductions so far: after each
//                   epoch the monitored metric is compared with the best so far; when it has
//                   not improved by more than a relative `threshold` for more than `patience`
//                   epochs, the rate is multiplied by `factor` (not below min_lr), as torch
//                   ReduceLROnPlateau in mode "min" with threshold_mode "rel".

#include <memory>
#include <optional>
#include <string_view>

namespace glassnet {

class Schedule {
 public:
  // What a checkpoint needs (only plateau has any).
  struct State {
    double best = 0.0;
    bool has_best = false;
    long bad_epochs = 0;
    long reductions = 0;
  };

  virtual ~Schedule() = default;
  virtual std::string_view name() const = 0;
  // The learning rate for epoch e (0-based).
  virtual double learning_rate(long epoch, double base) const = 0;
  // Called after each epoch with the monitored metric (lower is better), if any.
  virtual void on_epoch_end(std::optional<double> /*metric*/) {}
  virtual State state() const { return {}; }
  virtual void load_state(const State& /*state*/) {}
};

class ConstantSchedule : public Schedule {
 public:
  std::string_view name() const override { return "none"; }
  double learning_rate(long epoch, double base) const override;
};

class StepSchedule : public Schedule {
 public:
  StepSchedule(long step_size, double gamma = 0.1);
  std::string_view name() const override { return "step"; }
  double learning_rate(long epoch, double base) const override;

 private:
  long step_size_;
  double gamma_;
};

class ExponentialSchedule : public Schedule {
 public:
  explicit ExponentialSchedule(double gamma);
  std::string_view name() const override { return "exp"; }
  double learning_rate(long epoch, double base) const override;

 private:
  double gamma_;
};

class CosineSchedule : public Schedule {
 public:
  CosineSchedule(long total_epochs, long warmup_epochs = 0, double min_learning_rate = 0.0);
  std::string_view name() const override { return "cosine"; }
  double learning_rate(long epoch, double base) const override;

 private:
  long total_;
  long warmup_;
  double min_;
};

struct PlateauOptions {
  double factor = 0.1;
  long patience = 10;
  double threshold = 1e-4;
  double min_learning_rate = 0.0;
};

class PlateauSchedule : public Schedule {
 public:
  explicit PlateauSchedule(PlateauOptions options = {});
  std::string_view name() const override { return "plateau"; }
  double learning_rate(long epoch, double base) const override;
  void on_epoch_end(std::optional<double> metric) override;
  State state() const override { return state_; }
  void load_state(const State& state) override { state_ = state; }

 private:
  PlateauOptions options_;
  State state_;
};

}  // namespace glassnet
