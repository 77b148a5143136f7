#pragma once
// The training monitor: a Callback that records, inside the training loop, the
// numbers the doctor reasons over.
//
//   every step (light and full)   the loss, learning rate and global gradient norm
//                                 before clipping; per parameter its gradient norm
//                                 (before clipping), its weight norm after the step and
//                                 the update-to-weight ratio ‖Δθ‖ / ‖θ‖; the first
//                                 non-finite gradient or weight (step and tensor)
//   every k steps                 per activation layer, on that step's last batch: the
//                                 pre-activation mean and standard deviation, the
//                                 saturated fraction (sigmoid, tanh), the dead-unit
//                                 fraction (ReLU family), the activation standard
//                                 deviation (diag/activation_stats.hpp); full adds
//                                 log-scale histograms of the activations and of each
//                                 parameter's gradient
//   every epoch                   the epoch's logs (losses, learning rate, time)
//
// k (probe_every) defaults to the smallest interval at which the probes cost about
// 0.5 % of a step, estimated from the network's shape (docs/monitor.md), and at most a
// tenth of the steps `reserve` announced: a short run is probed ten times or more. The
// first step of a fit is probed too (step 1, or a resumed run's first). The norms
// come from passes the trainer and optimizer make anyway, so the per-step cost is a
// few numbers per parameter. With `reserve`, recording allocates nothing per step.
//
// Series are kept in memory (series()) and, when a MetricsLog is attached, written
// to it as JSON lines (diag/metrics_log.hpp).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "glassnet/diag/activation_stats.hpp"
#include "glassnet/nn/network.hpp"
#include "glassnet/train/callback.hpp"

namespace glassnet {

class MetricsLog;

enum class MonitorLevel { off, light, full };
std::string_view monitor_level_name(MonitorLevel level);
std::optional<MonitorLevel> parse_monitor_level(std::string_view name);  // off, light, full

struct MonitorOptions {
  MonitorLevel level = MonitorLevel::light;
  Index probe_every = 0;  // steps between activation probes; 0: chosen from the cost
};

// An activation layer the monitor probes: "layers.1", "layers.2.body.1".
struct ProbedLayer {
  std::string name;
  Activation activation = Activation::relu;
  const ElementwiseLayer* layer = nullptr;
  Index width = 0;  // units
};

struct MonitorSeries {
  // The monitored parameters (trainable roles, not buffers), and their store indices.
  std::vector<std::string> params;
  std::vector<ParamRole> roles;
  std::vector<std::size_t> param_index;
  std::vector<ProbedLayer> probed;

  // One entry per step.
  std::vector<Index> steps, epochs;
  std::vector<double> loss, learning_rate, grad_norm;
  // [step][param], row-major, params.size() per step.
  std::vector<float> param_grad_norm, param_weight_norm, param_update_ratio;

  // One entry per probe; [probe][layer] for the statistics.
  std::vector<Index> probe_steps;
  std::vector<ActivationStats> activation;
  // Full only: [probe][layer] activation histograms, [probe][param] gradient histograms.
  std::vector<LogHistogram> activation_histograms, gradient_histograms;

  std::vector<EpochLogs> epoch_logs;
  // The first non-finite value seen: in a recorded step's norms, or the one that
  // stopped training (Monitor::record_failure).
  std::optional<NonFinite> first_non_finite;

  Index step_count() const { return static_cast<Index>(steps.size()); }
  Index probe_count() const { return static_cast<Index>(probe_steps.size()); }
};

class Monitor : public Callback {
 public:
  explicit Monitor(MonitorOptions options = {}, MetricsLog* log = nullptr);

  std::string_view name() const override { return "monitor"; }
  void on_train_begin(Trainer& trainer) override;
  void on_step_end(Trainer& trainer, const StepLogs& logs) override;
  void on_epoch_end(Trainer& trainer, const EpochLogs& logs) override;
  void on_train_end(Trainer& trainer) override;

  // Reserves room for this many more steps, so that recording them allocates nothing.
  void reserve(Index steps);
  // The bytes the series of `steps` steps of `network` take at these options.
  static std::uint64_t bytes_for(const Network& network, const MonitorOptions& options, Index steps);

  // The non-finite value that stopped training (Trainer::failed_step), which no step
  // recorded: the series' first_non_finite, unless one was seen before.
  void record_failure(const NonFinite& failure);

  const MonitorSeries& series() const { return series_; }
  const MonitorOptions& options() const { return options_; }
  Index probe_every() const { return probe_every_; }

 private:
  void describe(const Network& network);
  void probe(const Trainer& trainer, Index step);
  bool probes_at(Index step) const { return step == first_step_ || step % probe_every_ == 0; }
  // part_layers_[k][p]: probed layer k in part p's network (Trainer::last_batch_parts).
  void find_part_layers(std::span<Network* const> parts);
  // Probed layer k in each network holding the last batch.
  std::span<const ElementwiseLayer* const> part_layers(std::size_t k) const;

  MonitorOptions options_;
  MetricsLog* log_;
  MonitorSeries series_;
  Index probe_every_ = 1;
  bool described_ = false;
  Index reserved_steps_ = 0;
  Index first_step_ = 1;                       // the first step this monitor recorded (a resumed run's is later)
  std::vector<const Network*> part_networks_;  // the networks part_layers_ was found in
  std::vector<std::vector<const ElementwiseLayer*>> part_layers_;
  std::vector<SavedView> z_parts_, a_parts_;  // one probed layer's, reused
  bool split_ = false;                        // the probed batch was split
};

// The probe interval the monitor chooses for a network (MonitorOptions::probe_every 0):
// from its cost, and at most a tenth of `steps` when they are known (> 0).
Index default_probe_every(const Network& network, Index steps = 0);

}  // namespace glassnet
