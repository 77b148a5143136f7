#include "glassnet/diag/doctor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace glassnet {
namespace {

// Thresholds; docs/doctor.md gives the reason for each.
constexpr double kVanishingAbsolute = 1e-7;  // a weight gradient norm below this is frozen
constexpr double kVanishingRelative = 1e-4;  // or this far below the output layers'
constexpr double kExplodingGrowth = 1e3;     // late median gradient norm over early median
constexpr double kExplodingPeak = 1e4;       // any step's norm over the early median
constexpr double kSaturatedFraction = 0.2;   // of pre-activations with |z| > 5
constexpr double kDeadFraction = 0.5;        // of units dead on the probed batch
constexpr double kDeadInfoFraction = 0.25;
constexpr double kPoorImprovement = 0.1;  // the loss fell by less than 10 %
constexpr double kBaselineMargin = 0.02;  // accuracy within 2 points of the baseline

double median(std::vector<double> values) {
  if (values.empty()) return std::nan("");
  const auto mid = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), mid, values.end());
  return *mid;
}

// Steps [first, last) of parameter k's gradient norms.
std::vector<double> param_window(const MonitorSeries& s, std::size_t k, std::size_t first, std::size_t last) {
  std::vector<double> out;
  const std::size_t n = s.params.size();
  for (std::size_t i = first; i < last; ++i) out.push_back(s.param_grad_norm[i * n + k]);
  return out;
}

std::string layer_of(const std::string& tensor) {
  const auto dot = tensor.rfind('.');
  return dot == std::string::npos ? tensor : tensor.substr(0, dot);
}

bool has_saturating(const MonitorSeries& s) {
  return std::any_of(s.probed.begin(), s.probed.end(), [](const ProbedLayer& p) { return saturates(p.activation); });
}

bool has_norm(const MonitorSeries& s) {
  return std::find(s.roles.begin(), s.roles.end(), ParamRole::norm_scale) != s.roles.end();
}

struct Progress {
  double improvement = 0.0;
  bool poor = false;
  std::string description;  // "the loss fell 2 % (0.693 → 0.679)"
};

Progress progress_of(const MonitorSeries& s, const RunFacts& facts) {
  Progress p;
  p.improvement = loss_improvement(s);
  p.poor = p.improvement < kPoorImprovement;
  p.description = fmt::format("the loss fell {:.0f} %", 100.0 * p.improvement);
  if (facts.accuracy && facts.baseline_accuracy) {
    const bool at_baseline = *facts.accuracy <= *facts.baseline_accuracy + kBaselineMargin;
    p.poor = p.poor || at_baseline;
    p.description += fmt::format(", accuracy {:.3f} against the majority-class baseline {:.3f}", *facts.accuracy,
                                 *facts.baseline_accuracy);
  }
  return p;
}

// Probes taken in the second half of the run (all of them if none were).
std::vector<std::size_t> late_probes(const MonitorSeries& s) {
  std::vector<std::size_t> out;
  const Index half = s.steps.empty() ? 0 : s.steps[s.steps.size() / 2];
  for (std::size_t p = 0; p < s.probe_steps.size(); ++p) {
    if (s.probe_steps[p] >= half) out.push_back(p);
  }
  if (out.empty()) {
    for (std::size_t p = 0; p < s.probe_steps.size(); ++p) out.push_back(p);
  }
  return out;
}

void vanishing(const MonitorSeries& s, const Progress& progress, std::vector<Finding>& out) {
  const std::size_t n = s.steps.size();
  std::vector<std::size_t> weights;
  for (std::size_t k = 0; k < s.params.size(); ++k) {
    if (s.roles[k] == ParamRole::weight) weights.push_back(k);
  }
  if (weights.size() < 3 || n == 0) return;
  const std::size_t first = n / 2;
  std::vector<double> medians;
  for (std::size_t k : weights) medians.push_back(median(param_window(s, k, first, n)));
  const double reference = std::max(medians[medians.size() - 1], medians[medians.size() - 2]);
  Finding f;
  f.symptom = "vanishing_gradients";
  f.first_step = s.steps[first];
  f.last_step = s.steps[n - 1];
  for (std::size_t i = 0; i + 2 < weights.size(); ++i) {
    const double m = medians[i];
    if (!(m < kVanishingAbsolute || m < reference * kVanishingRelative)) continue;
    f.layers.push_back(layer_of(s.params[weights[i]]));
    f.evidence.push_back(
        fmt::format("{} gradient norm {:.2e} (median over steps {}–{}; healthy 1e-3 to 1e-1), {:.1e}× "
                    "below the output layers' {:.2e}",
                    s.params[weights[i]], m, f.first_step, f.last_step, reference / m, reference));
  }
  if (f.layers.empty()) return;
  f.severity = progress.poor ? Severity::error : Severity::info;
  f.summary = fmt::format("The first {} weight layers barely receive a gradient, so they do not learn; {}.",
                          f.layers.size(), progress.description);
  if (has_saturating(s)) {
    f.causes.push_back(
        "sigmoid/tanh hidden layers: each multiplies the gradient by its derivative (at most 0.25 for sigmoid), "
        "so it shrinks geometrically with depth");
    f.fixes = {"--activation relu --init he", "--norm batch", "--residual"};
  } else {
    f.causes.push_back("the initialisation or dead units upstream shrink the gradient with depth");
    f.fixes = {"--init he", "--norm batch", "--residual"};
  }
  if (!has_norm(s)) f.causes.push_back("no normalisation between layers to keep the signal's scale");
  out.push_back(std::move(f));
}

void exploding(const MonitorSeries& s, const Progress& progress, std::vector<Finding>& out) {
  const std::size_t n = s.grad_norm.size();
  if (n < 4) return;
  const std::size_t early_end = std::max<std::size_t>(1, n / 10);
  const double early = median({s.grad_norm.begin(), s.grad_norm.begin() + static_cast<std::ptrdiff_t>(early_end)});
  const double late = median({s.grad_norm.begin() + static_cast<std::ptrdiff_t>(n / 2), s.grad_norm.end()});
  std::size_t peak_at = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (s.grad_norm[i] > s.grad_norm[peak_at]) peak_at = i;
  }
  const double peak = s.grad_norm[peak_at];
  if (!(early > 0.0) || !(late > kExplodingGrowth * early || peak > kExplodingPeak * early)) return;
  Finding f;
  f.symptom = "exploding_gradients";
  f.severity = progress.improvement < 0.0 || progress.poor ? Severity::error : Severity::warning;
  f.first_step = s.steps[early_end - 1];
  f.last_step = s.steps[n - 1];
  f.summary = fmt::format("The gradient norm grew by orders of magnitude during training; {}.", progress.description);
  f.evidence.push_back(fmt::format(
      "global gradient norm: median {:.2e} over steps 1–{}, {:.2e} over steps {}–{}, "
      "peak {:.2e} at step {} ({:.1e}× the start)",
      early, s.steps[early_end - 1], late, s.steps[n / 2], s.steps[n - 1], peak, s.steps[peak_at], peak / early));
  f.causes = {"a learning rate too high for the curvature of the loss",
              "no normalisation or clipping to bound the updates"};
  const double lr = s.learning_rate.empty() ? 1e-3 : s.learning_rate.back();
  f.fixes = {"--clip-norm 1.0", fmt::format("--lr {:g}", lr / 10), "--norm batch"};
  out.push_back(std::move(f));
}

void non_finite(const MonitorSeries& s, std::vector<Finding>& out) {
  if (!s.first_non_finite) return;
  const NonFinite& nf = *s.first_non_finite;
  Finding f;
  f.symptom = "non_finite";
  f.severity = Severity::error;
  f.layers = {layer_of(nf.tensor)};
  f.first_step = f.last_step = nf.step;
  f.summary = fmt::format("A {} became non-finite (NaN or infinity) at step {}.", nf.what, nf.step);
  f.evidence.push_back(fmt::format("first non-finite {}: {} at step {}", nf.what, nf.tensor, nf.step));
  if (nf.step >= 2 && static_cast<std::size_t>(nf.step) - 2 < s.loss.size()) {
    f.evidence.push_back(
        fmt::format("last finite loss {:.4g} at step {}", s.loss[static_cast<std::size_t>(nf.step) - 2], nf.step - 1));
  }
  f.causes = {"a learning rate so high that the weights overflow", "non-finite values in the input data"};
  f.fixes = {"--clip-norm 1.0", "--lr 1e-4", "--norm batch"};
  out.push_back(std::move(f));
}

void activations(const MonitorSeries& s, const Progress& progress, std::vector<Finding>& out) {
  const std::vector<std::size_t> probes = late_probes(s);
  if (probes.empty()) return;
  const std::size_t layers = s.probed.size();
  Finding saturation, dead;
  saturation.symptom = "saturation";
  dead.symptom = "dead_relu";
  double worst_dead = 0.0;
  for (std::size_t l = 0; l < layers; ++l) {
    std::vector<double> saturated, dead_fraction;
    for (std::size_t p : probes) {
      saturated.push_back(s.activation[p * layers + l].saturated);
      dead_fraction.push_back(s.activation[p * layers + l].dead);
    }
    const std::string range =
        fmt::format("probes at steps {}–{}", s.probe_steps[probes.front()], s.probe_steps[probes.back()]);
    if (saturates(s.probed[l].activation)) {
      const double m = median(saturated);
      if (m > kSaturatedFraction) {
        saturation.layers.push_back(s.probed[l].name);
        saturation.evidence.push_back(
            fmt::format("{} ({}): {:.0f} % of pre-activations have |z| > 5 (median over {}; "
                        "healthy below 5 %)",
                        s.probed[l].name, activation_name(s.probed[l].activation), 100.0 * m, range));
      }
    }
    if (can_die(s.probed[l].activation)) {
      const double m = median(dead_fraction);
      if (m >= kDeadInfoFraction) {
        worst_dead = std::max(worst_dead, m);
        dead.layers.push_back(s.probed[l].name);
        dead.evidence.push_back(
            fmt::format("{} ({}): {:.0f} % of units never active on the probed batch (median over "
                        "{}; healthy below 10 %)",
                        s.probed[l].name, activation_name(s.probed[l].activation), 100.0 * m, range));
      }
    }
  }
  const Index first = s.probe_steps[probes.front()], last = s.probe_steps[probes.back()];
  if (!saturation.layers.empty()) {
    saturation.severity = progress.poor ? Severity::warning : Severity::info;
    saturation.first_step = first;
    saturation.last_step = last;
    saturation.summary = fmt::format("Sigmoid/tanh units sit in their flat tails, where almost no gradient passes; {}.",
                                     progress.description);
    saturation.causes = {"pre-activations too large: unscaled inputs, or weights initialised or grown too large"};
    saturation.fixes = {"--activation relu --init he", "--norm batch", "--init xavier"};
    out.push_back(std::move(saturation));
  }
  if (!dead.layers.empty()) {
    dead.severity = !progress.poor                ? Severity::info
                    : worst_dead >= kDeadFraction ? Severity::error
                                                  : Severity::warning;
    dead.first_step = first;
    dead.last_step = last;
    dead.summary = fmt::format("ReLU units that output zero for every row pass no gradient and cannot recover; {}.",
                               progress.description);
    dead.causes = {"large negative biases or a learning-rate spike pushed the pre-activations below zero",
                   "an initialisation too large for the depth"};
    const double lr = s.learning_rate.empty() ? 1e-3 : s.learning_rate.back();
    dead.fixes = {"--activation leaky-relu", fmt::format("--lr {:g}", lr / 10), "--norm batch"};
    out.push_back(std::move(dead));
  }
}

}  // namespace

std::string_view severity_name(Severity severity) {
  switch (severity) {
    case Severity::info: return "info";
    case Severity::warning: return "warning";
    case Severity::error: return "error";
  }
  return "info";
}

double loss_improvement(const MonitorSeries& s) {
  const std::size_t n = s.loss.size();
  if (n == 0) return 0.0;
  const std::size_t tenth = std::max<std::size_t>(1, n / 10);
  const double start = median({s.loss.begin(), s.loss.begin() + static_cast<std::ptrdiff_t>(tenth)});
  const double end = median({s.loss.end() - static_cast<std::ptrdiff_t>(tenth), s.loss.end()});
  if (!(start > 0.0) || !std::isfinite(end)) return 0.0;
  return 1.0 - end / start;
}

std::vector<Finding> diagnose(const MonitorSeries& series, const RunFacts& facts) {
  std::vector<Finding> findings;
  if (series.steps.empty()) return findings;
  const Progress progress = progress_of(series, facts);
  non_finite(series, findings);
  exploding(series, progress, findings);
  vanishing(series, progress, findings);
  activations(series, progress, findings);
  std::stable_sort(findings.begin(), findings.end(),
                   [](const Finding& a, const Finding& b) { return a.severity > b.severity; });
  return findings;
}

}  // namespace glassnet
