#include "glassnet/diag/monitor.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "glassnet/diag/metrics_log.hpp"
#include "glassnet/nn/residual.hpp"
#include "glassnet/train/trainer.hpp"

namespace glassnet {
namespace {

// The cost of probing one activation value, in multiply-adds of a matrix product (the
// unit of a step's cost), and the share of a step the probes may take on average. An
// estimate (the probe makes about five passes over the values, in double); with it the
// light monitor measures within noise of none (bench/monitor_overhead, docs/monitor.md).
constexpr double kProbeCostPerValue = 40.0;
constexpr double kProbeBudget = 0.005;
// The fewest probes a run of known length gets: the doctor's activation findings are
// medians over probes, and a run of 32 steps of a tiny network (k in the hundreds) was
// probed once, at step 1, before any unit had died.
constexpr Index kMinProbes = 10;

void find_probed(const Sequential& layers, const std::string& prefix, std::vector<ProbedLayer>& out) {
  for (Index i = 0; i < layers.size(); ++i) {
    const Layer& layer = layers.layer(i);
    const std::string name = fmt::format("{}{}", prefix, i);
    if (const auto* activation = dynamic_cast<const ElementwiseLayer*>(&layer)) {
      out.push_back({name, activation->activation(), activation, layers.out_features(i)});
    } else if (const auto* residual = dynamic_cast<const Residual*>(&layer)) {
      find_probed(residual->body(), name + ".body.", out);
    }
  }
}

}  // namespace

std::string_view monitor_level_name(MonitorLevel level) {
  switch (level) {
    case MonitorLevel::off: return "off";
    case MonitorLevel::light: return "light";
    case MonitorLevel::full: return "full";
  }
  return "light";
}

std::optional<MonitorLevel> parse_monitor_level(std::string_view name) {
  for (MonitorLevel level : {MonitorLevel::off, MonitorLevel::light, MonitorLevel::full}) {
    if (monitor_level_name(level) == name) return level;
  }
  return std::nullopt;
}

Index default_probe_every(const Network& network, Index steps) {
  std::vector<ProbedLayer> probed;
  find_probed(network.layers(), "layers.", probed);
  double values = 0.0;  // activation values probed per row
  for (const auto& p : probed) values += static_cast<double>(p.width);
  double multiply_adds = 0.0;  // per row and step: forward, and backward twice
  for (const auto& p : network.params().params()) {
    if (p.role == ParamRole::weight) multiply_adds += 3.0 * static_cast<double>(p.size());
  }
  if (probed.empty() || multiply_adds == 0.0) return 1;
  const double ratio = values * kProbeCostPerValue / (multiply_adds * kProbeBudget);
  const auto by_cost = std::max<Index>(1, static_cast<Index>(std::ceil(ratio)));
  return steps > 0 ? std::min(by_cost, std::max<Index>(1, steps / kMinProbes)) : by_cost;
}

Monitor::Monitor(MonitorOptions options, MetricsLog* log) : options_(options), log_(log) {}

void Monitor::describe(const Network& network) {
  const auto& params = network.params().params();
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (params[i].role == ParamRole::buffer) continue;
    series_.params.push_back(params[i].name);
    series_.roles.push_back(params[i].role);
    series_.param_index.push_back(i);
  }
  find_probed(network.layers(), "layers.", series_.probed);
  described_ = true;
}

void Monitor::reserve(Index steps) {
  reserved_steps_ += steps;
  const auto n = static_cast<std::size_t>(reserved_steps_);
  for (auto* v : {&series_.steps, &series_.epochs}) v->reserve(n);
  for (auto* v : {&series_.loss, &series_.learning_rate, &series_.grad_norm}) v->reserve(n);
  const std::size_t per_step = std::max<std::size_t>(series_.params.size(), 1);
  for (auto* v : {&series_.param_grad_norm, &series_.param_weight_norm, &series_.param_update_ratio}) {
    v->reserve(n * per_step);
  }
  const std::size_t probes = n / static_cast<std::size_t>(std::max<Index>(probe_every_, 1)) + 2;
  series_.probe_steps.reserve(probes);
  series_.activation.reserve(probes * std::max<std::size_t>(series_.probed.size(), 1));
  if (options_.level == MonitorLevel::full) {
    series_.activation_histograms.reserve(probes * std::max<std::size_t>(series_.probed.size(), 1));
    series_.gradient_histograms.reserve(probes * per_step);
  }
}

std::uint64_t Monitor::bytes_for(const Network& network, const MonitorOptions& options, Index steps) {
  if (options.level == MonitorLevel::off || steps <= 0) return 0;
  Monitor sizing(options);
  sizing.describe(network);
  const MonitorSeries& s = sizing.series_;
  const auto n = static_cast<std::uint64_t>(steps);
  const std::uint64_t params = s.params.size(), layers = s.probed.size();
  const auto every =
      static_cast<std::uint64_t>(options.probe_every > 0 ? options.probe_every : default_probe_every(network, steps));
  const std::uint64_t probes = n / every + 2;
  std::uint64_t bytes = n * (2 * sizeof(Index) + 3 * sizeof(double) + 3 * params * sizeof(float));
  bytes += probes * (sizeof(Index) + layers * sizeof(ActivationStats));
  if (options.level == MonitorLevel::full) bytes += probes * (layers + params) * sizeof(LogHistogram);
  return bytes;
}

void Monitor::on_train_begin(Trainer& trainer) {
  if (!described_) {
    describe(trainer.network());
    probe_every_ =
        options_.probe_every > 0 ? options_.probe_every : default_probe_every(trainer.network(), reserved_steps_);
    if (reserved_steps_ > 0) {
      const Index steps = reserved_steps_;
      reserved_steps_ = 0;
      reserve(steps);  // again, now that the parameter count is known
    }
    if (log_ != nullptr) log_->write_layout(series_, options_, probe_every_);
  }
}

void Monitor::on_step_end(Trainer& trainer, const StepLogs& logs) {
  if (options_.level == MonitorLevel::off) return;
  if (series_.steps.empty()) first_step_ = logs.step;
  series_.steps.push_back(logs.step);
  series_.epochs.push_back(logs.epoch);
  series_.loss.push_back(logs.loss);
  series_.learning_rate.push_back(logs.learning_rate);
  series_.grad_norm.push_back(logs.grad_norm);
  const auto update_norms = trainer.optimizer().update_norms();
  const auto weight_norms = trainer.optimizer().weight_norms();
  for (std::size_t k = 0; k < series_.params.size(); ++k) {
    const std::size_t i = series_.param_index[k];
    const double g = i < logs.param_grad_norms.size() ? logs.param_grad_norms[i] : 0.0;
    const double w = i < weight_norms.size() ? weight_norms[i] : 0.0;
    const double u = i < update_norms.size() ? update_norms[i] : 0.0;
    series_.param_grad_norm.push_back(static_cast<float>(g));
    series_.param_weight_norm.push_back(static_cast<float>(w));
    series_.param_update_ratio.push_back(
        static_cast<float>(w > 0.0 ? u / w : (u > 0.0 ? std::numeric_limits<double>::infinity() : 0.0)));
    if (!series_.first_non_finite && (!std::isfinite(g) || !std::isfinite(w))) {
      series_.first_non_finite = NonFinite{logs.step, series_.params[k], std::isfinite(g) ? "weight" : "gradient"};
    }
  }
  if (log_ != nullptr) log_->write_step(series_, series_.step_count() - 1);
  if (probes_at(logs.step)) probe(trainer, logs.step);
}

void Monitor::record_failure(const NonFinite& failure) {
  if (options_.level == MonitorLevel::off || series_.first_non_finite) return;
  series_.first_non_finite = failure;
}

void Monitor::find_part_layers(std::span<Network* const> parts) {
  part_networks_.assign(parts.begin(), parts.end());
  part_layers_.assign(series_.probed.size(), {});
  std::vector<ProbedLayer> found;
  for (const Network* network : parts) {
    found.clear();
    find_probed(network->layers(), "layers.", found);
    for (std::size_t k = 0; k < part_layers_.size() && k < found.size(); ++k) part_layers_[k].push_back(found[k].layer);
  }
  z_parts_.reserve(parts.size());
  a_parts_.reserve(parts.size());
}

std::span<const ElementwiseLayer* const> Monitor::part_layers(std::size_t k) const {
  if (split_) return part_layers_[k];
  return {&series_.probed[k].layer, 1};
}

void Monitor::probe(const Trainer& trainer, Index step) {
  series_.probe_steps.push_back(step);
  const std::span<Network* const> parts = trainer.last_batch_parts();
  split_ = parts.size() > 1;
  if (split_ && !std::equal(parts.begin(), parts.end(), part_networks_.begin(), part_networks_.end())) {
    find_part_layers(parts);  // once per split (train/split_step.hpp)
  }
  for (std::size_t k = 0; k < series_.probed.size(); ++k) {
    z_parts_.clear();
    a_parts_.clear();
    for (const ElementwiseLayer* layer : part_layers(k)) {
      z_parts_.emplace_back(layer->input());
      a_parts_.emplace_back(layer->output());
    }
    series_.activation.push_back(activation_stats(series_.probed[k].activation, z_parts_, a_parts_));
  }
  if (options_.level == MonitorLevel::full) {
    for (std::size_t k = 0; k < series_.probed.size(); ++k) {
      LogHistogram histogram;
      for (const ElementwiseLayer* layer : part_layers(k)) {
        const ConstMatrixView a = layer->output();
        add_counts(histogram, log_histogram(a.data(), a.size()));
      }
      series_.activation_histograms.push_back(histogram);
    }
    const ParamStore& store = trainer.network().params();
    for (std::size_t i : series_.param_index) {
      const ParamInfo& info = store.params()[i];
      series_.gradient_histograms.push_back(log_histogram(store.grads().data() + info.offset, info.size()));
    }
  }
  if (log_ != nullptr) log_->write_probe(series_, series_.probe_count() - 1);
}

void Monitor::on_epoch_end(Trainer& /*trainer*/, const EpochLogs& logs) {
  if (options_.level == MonitorLevel::off) return;
  series_.epoch_logs.push_back(logs);
  if (log_ != nullptr) {
    log_->write_epoch(logs);
    log_->flush();
  }
}

void Monitor::on_train_end(Trainer& /*trainer*/) {
  if (log_ != nullptr) log_->flush();
}

}  // namespace glassnet
