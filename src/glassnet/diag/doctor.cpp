#include "glassnet/diag/doctor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "glassnet/diag/causal_chain.hpp"
#include "glassnet/diag/median.hpp"

namespace glassnet {
namespace {

// Thresholds; docs/doctor.md gives the reason for each.
constexpr double kVanishingAbsolute = 1e-7;  // a weight gradient norm below this is frozen
constexpr double kVanishingRelative = 1e-4;  // or this far below the output layers'
constexpr double kExplodingGrowth = 1e3;     // late median gradient norm over early median
constexpr double kExplodingPeak = 1e4;       // any step's norm over the early median
constexpr double kSaturatedFraction = 0.2;   // of pre-activations with |z| > 5
constexpr double kDeadFraction = 0.9;        // of a layer's units dead on the probed batch
constexpr double kDeadInfoFraction = 0.25;
constexpr double kDeadMostFraction = 0.5;   // most of a layer: a warning when the first steps caused it
constexpr double kPoorImprovement = 0.1;  // the loss fell by less than 10 %
constexpr double kBaselineMargin = 0.02;  // accuracy within 2 points of the baseline
constexpr double kOverfitRise = 0.10;     // validation loss above its best
constexpr Index kOverfitEpochs = 2;       // epochs after the best, at least
constexpr double kSpikeFactor = 10.0;     // a step's loss over the trailing median
constexpr std::size_t kSpikeWindow = 20;  // steps in that median
constexpr int kSpikes = 3;                // spikes that make a finding
constexpr double kRatioHigh = 1e-1;       // update-to-weight ratio
constexpr double kRatioLow = 1e-5;
constexpr double kRatioHealthy = 1e-3;
constexpr double kPlateauChange = 0.01;  // relative change between the last quarters
constexpr std::size_t kEarlySteps = 10;  // the steps in which too large a learning rate kills units

// Whether the judged rows' classes are so unequal that accuracy and balanced accuracy
// tell chance apart: the most frequent class's share is more than 2 points above 1/k.
bool unbalanced(const ClassScores& chance) { return !within_chance(chance.accuracy, chance.balanced_accuracy); }

// Steps [first, last) of parameter k's gradient norms.
std::vector<double> param_window(const MonitorSeries& s, std::size_t k, std::size_t first, std::size_t last) {
  std::vector<double> out;
  const std::size_t n = s.params.size();
  for (std::size_t i = first; i < last; ++i) out.push_back(s.param_grad_norm[i * n + k]);
  return out;
}

bool has_saturating(const MonitorSeries& s) {
  return std::any_of(s.probed.begin(), s.probed.end(), [](const ProbedLayer& p) { return saturates(p.activation); });
}

bool has_norm(const MonitorSeries& s) {
  return std::find(s.roles.begin(), s.roles.end(), ParamRole::norm_scale) != s.roles.end();
}

// The learning rate the fixes' `--lr` values are multiples of (RunFacts::learning_rate).
double fixes_learning_rate(const MonitorSeries& s, const RunFacts& facts) {
  if (facts.learning_rate > 0.0) return facts.learning_rate;
  return s.learning_rate.empty() ? 1e-3 : s.learning_rate.back();
}

struct Progress {
  double improvement = 0.0;
  bool poor = false;
  std::string description;  // "the loss fell 2 % (0.693 → 0.679)"
  double learning_rate = 0.0;  // fixes_learning_rate
};

Progress progress_of(const MonitorSeries& s, const RunFacts& facts) {
  Progress p;
  p.learning_rate = fixes_learning_rate(s, facts);
  p.improvement = loss_improvement(s);
  p.poor = p.improvement < kPoorImprovement;
  // improvement = 1 − end/start: a rising loss is a factor, not a fall of −10¹⁷ %.
  const double growth = 1.0 - p.improvement;
  // Whole percents, or one decimal where rounding would cross the 10 % that decides
  // "poor" (9.93 % read "fell 10 %" beside a verdict of poor learning).
  const double percent = 100.0 * p.improvement;
  const bool crosses = (std::round(percent) < 100.0 * kPoorImprovement) != p.poor;
  // (Truncated, so that 9.97 % is not printed as 10.0 % either.) Under 1 %, one decimal,
  // and under 0.05 % no direction, so that a change never reads "0 %".
  const double change = std::abs(percent);
  const char* direction = p.improvement >= 0.0 ? "fell" : "rose";
  p.description = change < 0.05          ? std::string("the loss stayed where it started (within 0.05 %)")
                  : crosses              ? fmt::format("the loss fell {:.1f} %", std::floor(10.0 * percent) / 10.0)
                  : change < 1.0         ? fmt::format("the loss {} {:.1f} %", direction, change)
                  : p.improvement >= 0.0 ? fmt::format("the loss fell {:.0f} %", percent)
                  : growth < 10.0        ? fmt::format("the loss rose {:.0f} %", change)
                                         : fmt::format("the loss rose {:.3g}-fold", growth);
  if (facts.scores && facts.chance) {
    p.poor = p.poor || at_chance(*facts.scores, *facts.chance);
    p.description += fmt::format(", accuracy {:.3f} against the majority-class baseline {:.3f}", facts.scores->accuracy,
                                 facts.chance->accuracy);
    if (unbalanced(*facts.chance)) {
      p.description += fmt::format(", balanced accuracy {:.3f} against {:.3f}", facts.scores->balanced_accuracy,
                                   facts.chance->balanced_accuracy);
    }
  }
  // A run stopped by a non-finite value learned nothing it can keep, however its last
  // finite losses compare.
  if (s.first_non_finite) {
    p.poor = true;
    p.description =
        fmt::format("training failed at step {} (a non-finite {})", s.first_non_finite->step, s.first_non_finite->what);
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
  if (!(reference > 0.0)) return;  // the whole network stands still: no depth to blame
  // Against output layers whose gradients explode, any layer looks small: then only a
  // gradient frozen outright counts.
  const bool exploding =
      std::any_of(out.begin(), out.end(), [](const Finding& e) { return e.symptom == "exploding_gradients"; });
  Finding f;
  f.symptom = "vanishing_gradients";
  f.first_step = s.steps[first];
  f.last_step = s.steps[n - 1];
  for (std::size_t i = 0; i + 2 < weights.size(); ++i) {
    const double m = medians[i];
    if (!(m < kVanishingAbsolute || (!exploding && m < reference * kVanishingRelative))) continue;
    f.layers.push_back(layer_of(s.params[weights[i]]));
    const std::string below = m > 0.0
                                  ? fmt::format(", {:.1e}× below the output layers' {:.2e}", reference / m, reference)
                                  : fmt::format("; the output layers' {:.2e}", reference);
    f.evidence.push_back(fmt::format("{} gradient norm {:.2e} (median over steps {}–{}; healthy 1e-3 to 1e-1){}",
                                     s.params[weights[i]], m, f.first_step, f.last_step, below));
  }
  if (f.layers.empty()) return;
  f.severity = progress.poor ? Severity::error : Severity::info;
  f.summary = fmt::format("The first {} barely receive{} a gradient, so they do not learn; {}.",
                          f.layers.size() == 1 ? "weight layer" : fmt::format("{} weight layers", f.layers.size()),
                          f.layers.size() == 1 ? "s" : "", progress.description);
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

// The largest, over weight tensors, of the median update ratio over the first
// kEarlySteps steps.
double early_update_ratio(const MonitorSeries& s) {
  const std::size_t n = kEarlySteps, p = s.params.size();
  double largest = 0.0;
  for (std::size_t k = 0; k < p; ++k) {
    if (s.roles[k] != ParamRole::weight) continue;
    std::vector<double> values;
    for (std::size_t i = 0; i < n && i < s.steps.size(); ++i) values.push_back(s.param_update_ratio[i * p + k]);
    if (!values.empty()) largest = std::max(largest, median(values));
  }
  return largest;
}

// Steps far too large from the start (early_update_ratio above kRatioHigh) make the
// learning rate the cause: the evidence is added to `f`, and the cause to name is
// returned; nullopt, and nothing added, otherwise.
std::optional<std::string> early_steps_too_large(const MonitorSeries& s, double lr, Finding& f) {
  const double early = early_update_ratio(s);
  if (!(early > kRatioHigh)) return std::nullopt;
  f.evidence.push_back(
      fmt::format("largest weight update ratio {:.2e} over the first steps (median over steps 1–{}; healthy "
                  "about 1e-3, alarm above 1e-1)",
                  early, s.steps[std::min(kEarlySteps, s.steps.size()) - 1]));
  return fmt::format("learning rate {:g}: the first steps moved the weights by a large fraction of themselves", lr);
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
  const double lr = progress.learning_rate;
  f.fixes = {"--clip-norm 1.0", fmt::format("--lr {:g}", lr / 10), "--norm batch"};
  // Then lowering the learning rate is the first fix (clipping would only slow the climb).
  if (auto cause = early_steps_too_large(s, lr, f)) {
    f.causes.front() = std::move(*cause);
    f.fixes = {fmt::format("--lr {:g}", lr / 10), "--clip-norm 1.0", "--norm batch"};
  }
  out.push_back(std::move(f));
}

void non_finite(const MonitorSeries& s, double lr, std::vector<Finding>& out) {
  if (!s.first_non_finite) return;
  const NonFinite& nf = *s.first_non_finite;
  Finding f;
  f.symptom = "non_finite";
  f.severity = Severity::error;
  if (!nf.tensor.empty()) f.layers = {layer_of(nf.tensor)};
  f.first_step = f.last_step = nf.step;
  f.summary = fmt::format("{} became non-finite (NaN or infinity) at step {}.",
                          nf.tensor.empty() ? fmt::format("The {}", nf.what) : fmt::format("A {}", nf.what), nf.step);
  f.evidence.push_back(nf.tensor.empty()
                           ? fmt::format("first non-finite value: the {} at step {}", nf.what, nf.step)
                           : fmt::format("first non-finite {}: {} at step {}", nf.what, nf.tensor, nf.step));
  for (std::size_t i = s.steps.size(); i-- > 0;) {
    if (s.steps[i] < nf.step && std::isfinite(s.loss[i])) {
      f.evidence.push_back(fmt::format("last finite loss {:.4g} at step {}", s.loss[i], s.steps[i]));
      break;
    }
  }
  f.causes = {"a learning rate so high that the weights overflow", "non-finite values in the input data"};
  f.fixes = {fmt::format("--lr {:g}", lr / 10), "--clip-norm 1.0", "--norm batch"};
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
    dead.severity = !progress.poor ? Severity::info : worst_dead >= kDeadFraction ? Severity::error : Severity::warning;
    dead.first_step = first;
    dead.last_step = last;
    // A LeakyReLU, GELU or tanh-GELU unit below zero for every row still passes a little
    // gradient (a hundredth, for LeakyReLU): it is not dead, but nearly.
    const bool plain_relu = std::all_of(dead.layers.begin(), dead.layers.end(), [&](const std::string& name) {
      const auto found =
          std::find_if(s.probed.begin(), s.probed.end(), [&](const ProbedLayer& p) { return p.name == name; });
      return found != s.probed.end() && found->activation == Activation::relu;
    });
    dead.summary =
        plain_relu ? fmt::format("ReLU units that output zero for every row pass no gradient and cannot recover; {}.",
                                 progress.description)
                   : fmt::format(
                         "ReLU-family units whose input is below zero for every row pass little or no gradient "
                         "and barely recover; {}.",
                         progress.description);
    dead.causes = {"large negative biases or a learning-rate spike pushed the pre-activations below zero",
                   "an initialisation too large for the depth"};
    const double lr = progress.learning_rate;
    dead.fixes = {"--activation leaky-relu", fmt::format("--lr {:g}", lr / 10), "--norm batch"};
    // Steps far too large at the start kill units in a few updates: then lowering the
    // learning rate is the first fix.
    if (auto cause = early_steps_too_large(s, lr, dead)) {
      // Most units killed by the first steps: capacity lost to the learning rate, a
      // warning even while the loss still falls (the units left carry the model).
      if (!progress.poor && worst_dead >= kDeadMostFraction) dead.severity = Severity::warning;
      dead.causes.insert(dead.causes.begin(), std::move(*cause));
      dead.fixes = {fmt::format("--lr {:g}", lr / 10), "--activation leaky-relu", "--norm batch"};
    }
    out.push_back(std::move(dead));
  }
}

// Median over the second half of the run of the update ratios of the weight tensors.
std::vector<std::pair<std::string, double>> late_update_ratios(const MonitorSeries& s) {
  std::vector<std::pair<std::string, double>> out;
  const std::size_t n = s.steps.size(), p = s.params.size();
  for (std::size_t k = 0; k < p; ++k) {
    if (s.roles[k] != ParamRole::weight) continue;
    std::vector<double> values;
    for (std::size_t i = n / 2; i < n; ++i) values.push_back(s.param_update_ratio[i * p + k]);
    out.emplace_back(s.params[k], median(values));
  }
  return out;
}

void learning_rate(const MonitorSeries& s, const Progress& progress, std::vector<Finding>& out) {
  const std::size_t n = s.loss.size();
  if (n < kSpikeWindow + 2) return;
  const double start =
      median({s.loss.begin(), s.loss.begin() + static_cast<std::ptrdiff_t>(std::max<std::size_t>(1, n / 10))});
  std::vector<Index> spikes;
  for (std::size_t i = kSpikeWindow; i < n; ++i) {
    const double trailing = median({s.loss.begin() + static_cast<std::ptrdiff_t>(i - kSpikeWindow),
                                    s.loss.begin() + static_cast<std::ptrdiff_t>(i)});
    if (s.loss[i] > kSpikeFactor * trailing && s.loss[i] > start) spikes.push_back(s.steps[i]);
  }
  const auto ratios = late_update_ratios(s);
  const double lr = progress.learning_rate;
  std::vector<std::string> high, low;
  for (const auto& [name, r] : ratios) {
    if (r > kRatioHigh)
      high.push_back(
          fmt::format("{} update ratio {:.2e} (median over the second half; healthy about "
                      "1e-3, alarm above 1e-1)",
                      name, r));
    if (r < kRatioLow)
      low.push_back(
          fmt::format("{} update ratio {:.2e} (median over the second half; healthy about "
                      "1e-3, alarm below 1e-5)",
                      name, r));
  }
  if (static_cast<int>(spikes.size()) >= kSpikes || !high.empty()) {
    Finding f;
    f.symptom = "lr_too_high";
    f.severity = progress.poor ? Severity::error : Severity::info;
    f.first_step = spikes.empty() ? s.steps[n / 2] : spikes.front();
    f.last_step = s.steps.back();
    f.summary =
        fmt::format("The steps are too large for the loss surface: the loss jumps back up; {}.", progress.description);
    if (static_cast<int>(spikes.size()) >= kSpikes) {
      f.evidence.push_back(
          fmt::format("{} steps where the loss jumped over {:.0f}× its median of the {} steps before "
                      "and above its starting level (first at step {})",
                      spikes.size(), kSpikeFactor, kSpikeWindow, spikes.front()));
    }
    for (const auto& e : high) f.evidence.push_back(e);
    f.causes = {fmt::format("learning rate {:g}", lr)};
    f.fixes = {fmt::format("--lr {:g}", lr / 10), "--clip-norm 1.0", "--schedule cosine"};
    out.push_back(std::move(f));
    return;
  }
  // Weights that do not move behind dead units are the dead units' doing, not the
  // learning rate's.
  const bool dead_units = std::any_of(out.begin(), out.end(), [](const Finding& f) {
    return f.symptom == "dead_relu" && f.severity != Severity::info;
  });
  if (progress.poor && !low.empty() && !dead_units &&
      low.size() == static_cast<std::size_t>(std::count_if(s.roles.begin(), s.roles.end(),
                                                           [](ParamRole r) { return r == ParamRole::weight; }))) {
    Finding f;
    f.symptom = "lr_too_low";
    f.severity = Severity::warning;
    f.first_step = s.steps[n / 2];
    f.last_step = s.steps.back();
    f.summary = fmt::format("Every weight moves by a tiny fraction of itself per step; {}.", progress.description);
    f.evidence = low;
    f.causes = {fmt::format("learning rate {:g}", lr)};
    // A step moves a weight by about lr × its gradient (Adam: lr × a unit step), so the
    // ratio scales with the learning rate: the fix is the decade that brings the median
    // ratio to the healthy 1e-3, at least one decade and at most four.
    std::vector<double> r;
    for (const auto& ratio : ratios) r.push_back(ratio.second);
    const double decades = std::clamp(std::round(std::log10(kRatioHealthy / std::max(median(r), 1e-30))), 1.0, 4.0);
    f.fixes = {fmt::format("--lr {:g}", lr * std::pow(10.0, decades)), "--optimizer adam"};
    out.push_back(std::move(f));
  }
}

void overfitting(const MonitorSeries& s, const RunFacts& facts, std::vector<Finding>& out) {
  std::vector<const EpochLogs*> epochs;
  for (const EpochLogs& e : s.epoch_logs) {
    if (e.val_loss && std::isfinite(*e.val_loss)) epochs.push_back(&e);
  }
  if (epochs.size() < 4) return;
  std::size_t best = 0;
  for (std::size_t i = 1; i < epochs.size(); ++i) {
    if (*epochs[i]->val_loss < *epochs[best]->val_loss) best = i;
  }
  const EpochLogs& b = *epochs[best];
  const EpochLogs& last = *epochs.back();
  if (epochs.size() - 1 - best < static_cast<std::size_t>(kOverfitEpochs)) return;
  if (!(*last.val_loss > (1.0 + kOverfitRise) * *b.val_loss) || !(last.train_loss < b.train_loss)) return;
  Finding f;
  f.symptom = "overfitting";
  f.severity = facts.early_stopping ? Severity::info : Severity::warning;
  f.summary = fmt::format(
      "The network began to memorise the training rows after epoch {}: the validation loss rose "
      "while the training loss kept falling{}.",
      b.epoch, facts.early_stopping ? "; that epoch's weights were restored" : "");
  f.evidence.push_back(fmt::format("validation loss {:.4g} at epoch {}, {:.4g} at epoch {} (+{:.0f} %)", *b.val_loss,
                                   b.epoch, *last.val_loss, last.epoch, 100.0 * (*last.val_loss / *b.val_loss - 1.0)));
  f.evidence.push_back(
      fmt::format("training loss {:.4g} → {:.4g} over the same epochs", b.train_loss, last.train_loss));
  for (std::size_t i = 0; i < s.steps.size(); ++i) {
    if (s.epochs[i] > b.epoch) {
      f.first_step = s.steps[i];
      break;
    }
  }
  f.last_step = s.steps.back();
  f.causes = {"more capacity than the training rows support", "no regularisation"};
  f.fixes = {"--early-stopping 5", "--dropout 0.2", "--weight-decay 1e-4", "smaller --layers"};
  out.push_back(std::move(f));
}

// Poor learning as a finding: chance_level (accuracy at the baseline), plateau (the
// loss has stopped moving), or poor_learning (slow), which stands only as the last link
// of a chain that explains it (diag/causal_chain.hpp).
void poor_learning(const MonitorSeries& s, const RunFacts& facts, const Progress& progress, std::vector<Finding>& out) {
  if (!progress.poor || s.steps.empty()) return;
  const bool at_baseline = facts.scores && facts.chance && at_chance(*facts.scores, *facts.chance);
  // A plateau: the loss has also stopped moving over the last quarter of the steps.
  const std::size_t n = s.loss.size();
  double q3 = std::nan(""), q4 = std::nan("");
  if (n >= 8) {
    q3 = median(
        {s.loss.begin() + static_cast<std::ptrdiff_t>(n / 2), s.loss.begin() + static_cast<std::ptrdiff_t>(3 * n / 4)});
    q4 = median({s.loss.begin() + static_cast<std::ptrdiff_t>(3 * n / 4), s.loss.end()});
  }
  const bool flat = std::abs(q4 / q3 - 1.0) < kPlateauChange;
  Finding f;
  f.symptom = at_baseline ? "chance_level" : flat ? "plateau" : "poor_learning";
  f.severity = at_baseline ? Severity::error : Severity::warning;
  f.first_step = s.steps.front();
  f.last_step = s.steps.back();
  if (at_baseline) {
    f.summary = "The network does no better than always predicting the most frequent class.";
    const ClassScores &scores = *facts.scores, &chance = *facts.chance;
    f.evidence.push_back(fmt::format(
        "accuracy {:.3f}, {} the majority-class baseline {:.3f} (always predicting the most frequent class)",
        scores.accuracy, scores.accuracy < chance.accuracy - kBaselineMargin ? "below" : "at", chance.accuracy));
    if (unbalanced(chance)) {
      f.evidence.push_back(
          fmt::format("balanced accuracy {:.3f}, {} the {:.3f} of any constant prediction", scores.balanced_accuracy,
                      scores.balanced_accuracy < chance.balanced_accuracy - kBaselineMargin ? "below" : "at",
                      chance.balanced_accuracy));
    }
    f.evidence.push_back("labels, output and loss fit the task (checked before training)");
  } else if (flat) {
    f.summary = fmt::format("The loss has stopped falling far from a good fit; {}.", progress.description);
    f.evidence.push_back(
        fmt::format("median loss {:.4g} over the third quarter of the steps, {:.4g} over the last "
                    "({:+.1f} %; a plateau moves less than {:.0f} %)",
                    q3, q4, 100.0 * (q4 / q3 - 1.0), 100.0 * kPlateauChange));
  } else {
    f.summary = fmt::format("Learning is slow; {}.", progress.description);
    f.evidence.push_back(progress.description);
  }
  const double lr = progress.learning_rate;
  f.causes = {"a learning rate far from the right one", "a model too small or too constrained for the problem",
              "features that do not carry the signal"};
  f.fixes = {fmt::format("--lr {:g}", lr * 10), fmt::format("--lr {:g}", lr / 10), "--optimizer adam",
             "wider --layers"};
  out.push_back(std::move(f));
}

}  // namespace

std::string layer_of(const std::string& tensor) {
  const auto dot = tensor.rfind('.');
  return dot == std::string::npos ? tensor : tensor.substr(0, dot);
}

std::string_view severity_name(Severity severity) {
  switch (severity) {
    case Severity::info: return "info";
    case Severity::warning: return "warning";
    case Severity::error: return "error";
  }
  return "info";
}

ClassScores chance_scores(const std::vector<Index>& class_counts) {
  Index rows = 0, most = 0, present = 0;
  for (Index n : class_counts) {
    rows += n;
    most = std::max(most, n);
    present += n > 0;
  }
  if (rows == 0) return {};
  return {.accuracy = static_cast<double>(most) / static_cast<double>(rows),
          .balanced_accuracy = 1.0 / static_cast<double>(present)};
}

bool within_chance(double score, double chance) { return score <= chance + kBaselineMargin; }

bool at_chance(const ClassScores& scores, const ClassScores& chance) {
  // A score whose chance is within the margin of 1 tells nothing: no run can rise above it.
  const bool accuracy_tells = !within_chance(1.0, chance.accuracy);
  const bool balanced_tells = !within_chance(1.0, chance.balanced_accuracy);
  return (accuracy_tells || balanced_tells) && (!accuracy_tells || within_chance(scores.accuracy, chance.accuracy)) &&
         (!balanced_tells || within_chance(scores.balanced_accuracy, chance.balanced_accuracy));
}

double loss_improvement(const MonitorSeries& s) {
  const std::size_t n = s.loss.size();
  if (n == 0) return 0.0;
  // A tenth of the steps, but at least 10 (half the run when shorter): fewer batches
  // are too noisy to compare.
  const std::size_t tenth = std::max<std::size_t>({1, n / 10, std::min<std::size_t>(10, n / 2)});
  const double start = median({s.loss.begin(), s.loss.begin() + static_cast<std::ptrdiff_t>(tenth)});
  const double end = median({s.loss.end() - static_cast<std::ptrdiff_t>(tenth), s.loss.end()});
  if (!(start > 0.0) || !std::isfinite(end)) return 0.0;
  return 1.0 - end / start;
}

std::vector<Finding> diagnose(const MonitorSeries& series, const RunFacts& facts) {
  std::vector<Finding> findings;
  if (series.steps.empty() && !series.first_non_finite) return facts.preflight;
  non_finite(series, fixes_learning_rate(series, facts), findings);  // (also of a run that failed at its first step)
  if (!series.steps.empty()) {
    const Progress progress = progress_of(series, facts);
    exploding(series, progress, findings);
    vanishing(series, progress, findings);  // (after exploding, which it reads)
    activations(series, progress, findings);
    learning_rate(series, progress, findings);
    overfitting(series, facts, findings);
    poor_learning(series, facts, progress, findings);
  }
  findings.insert(findings.begin(), facts.preflight.begin(), facts.preflight.end());
  link_causes(findings);
  return findings;
}

}  // namespace glassnet
