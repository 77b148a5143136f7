#include "glassnet/diag/gradient_check.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

#include "glassnet/nn/sequential.hpp"

namespace glassnet {
namespace {

double element_error(double analytic, double numeric, double floor) {
  const double scale = std::max({std::abs(analytic), std::abs(numeric), floor});
  return std::abs(analytic - numeric) / scale;
}

// Which side of its kink every input of a ReLU-family layer inside `layer` lies on,
// as left by the last forward. `input` is the input of that forward.
void collect_kink_sides(const Layer& layer, ConstMatrixView input, std::vector<bool>& sides) {
  if (const auto* sequential = dynamic_cast<const Sequential*>(&layer)) {
    SavedView in = input;
    for (Index i = 0; i < sequential->size(); ++i) {
      collect_kink_sides(sequential->layer(i), in.view(), sides);
      in = sequential->layer(i).output();
    }
    return;
  }
  if (layer.kind() == "relu" || layer.kind() == "leaky_relu") {
    for (Index i = 0; i < input.size(); ++i) sides.push_back(input.data()[i] > 0);
  }
}

// Evaluates the objective at the current parameters and input, and says whether
// every ReLU-family input is on the same side of its kink as at the start.
class Probe {
 public:
  Probe(Layer& layer, const Matrix& input, const Objective& objective, Mode mode)
      : layer_(layer), input_(input), objective_(objective), mode_(mode) {
    layer_.collect_rngs(rngs_);
    for (const Rng* rng : rngs_) rng_states_.push_back(rng->state());
    forward();
    collect_kink_sides(layer_, input_, reference_);
  }

  // Forward with the same random draws as every other forward of this probe.
  ConstMatrixView forward() {
    for (std::size_t i = 0; i < rngs_.size(); ++i) rngs_[i]->set_state(rng_states_[i]);
    return layer_.forward(input_, mode_);
  }

  double value(bool& same_sides) {
    const double v = objective_.value(forward());
    sides_.clear();
    collect_kink_sides(layer_, input_, sides_);
    same_sides = sides_ == reference_;
    return v;
  }

 private:
  Layer& layer_;
  const Matrix& input_;
  const Objective& objective_;
  Mode mode_;
  std::vector<Rng*> rngs_;
  std::vector<Rng::State> rng_states_;
  std::vector<bool> reference_;
  std::vector<bool> sides_;
};

// The one-sided difference from the centre c = L(θ) and the steps f[k] = L(θ + (k+1) h)
// on one side (h < 0 below): in double the five-point difference, whose error is O(h^4)
// as the central one's,
//     n = [48 (f1 − c) − 36 (f2 − c) + 16 (f3 − c) − 3 (f4 − c)] / 12h,
// and in float the three-point one, n = [4 (f1 − c) − (f2 − c)] / 2h (error O(h²)): at
// float's step h² is below its rounding, which the three-point difference amplifies
// less (by 4/h, the five-point one by 10.7/h: on the tests' random whole networks, a
// worst error of 3.4e-3 against 1.4e-2).
double one_sided(double centre, const std::vector<double>& f, double h) {
  if (!kDoublePrecision) return (4.0 * (f[0] - centre) - (f[1] - centre)) / (2.0 * h);
  return (48.0 * (f[0] - centre) - 36.0 * (f[1] - centre) + 16.0 * (f[2] - centre) - 3.0 * (f[3] - centre)) /
         (12.0 * h);
}

// The steps tried: h, h/8 and, in double, h/64 (in float a difference over h/64 is mostly
// rounding).
constexpr int kAttempts = kDoublePrecision ? 3 : 2;

// The points of the one-sided difference, beyond the centre.
constexpr int kOneSidedPoints = kDoublePrecision ? 4 : 2;

// The difference quotient of element `value`: the five-point central difference; where
// its steps move a ReLU-family input across its kink, the one-sided difference on a side
// whose steps cross none (one_sided), which keeps the step large (a smaller step leaves
// mostly rounding in float); where both sides cross, the same with steps 8 and 64 times
// smaller. nullopt if every step tried crossed on both sides.
std::optional<double> difference(Scalar& value, Probe& probe, double step) {
  const Scalar original = value;
  // The objective at original + offset; `same` is cleared when an input crossed its kink.
  const auto at = [&](double offset, bool& same) {
    value = static_cast<Scalar>(original + offset);
    bool here = true;
    const double v = probe.value(here);
    same = same && here;
    value = original;
    return v;
  };
  for (int attempt = 0; attempt < kAttempts; ++attempt, step /= 8) {
    bool above = true, below = true;
    const double plus = at(step, above), minus = at(-step, below), plus2 = at(2 * step, above),
                 minus2 = at(-2 * step, below);
    if (above && below) return (8.0 * (plus - minus) - (plus2 - minus2)) / (12.0 * step);
    for (const double h : {step, -step}) {
      bool same = h > 0 ? above : below;
      if (!same) continue;
      std::vector<double> f = {h > 0 ? plus : minus, h > 0 ? plus2 : minus2};
      for (int k = 3; k <= kOneSidedPoints; ++k) f.push_back(at(k * h, same));
      if (!same) continue;
      bool centre = true;  // (where the reference sides were taken)
      return one_sided(at(0.0, centre), f, h);
    }
  }
  return std::nullopt;
}

TensorCheck check_tensor(std::string name, Scalar* values, const Scalar* analytic, Index size, Probe& probe,
                         const GradientCheckOptions& options, double floor) {
  TensorCheck check;
  check.name = std::move(name);
  check.size = size;
  for (Index j = 0; j < size; ++j) {
    check.max_abs_gradient = std::max(check.max_abs_gradient, std::abs(static_cast<double>(analytic[j])));
    const std::optional<double> numeric = difference(values[j], probe, options.step);
    if (!numeric) {
      ++check.skipped;
      continue;
    }
    double error = element_error(analytic[j], *numeric, floor);
    if (!std::isfinite(error)) error = std::numeric_limits<double>::infinity();
    if (error > check.max_error || j == 0) {
      check.max_error = error;
      check.worst_index = j;
      check.analytic = analytic[j];
      check.numeric = *numeric;
    }
  }
  return check;
}

}  // namespace

Objective loss_objective(const Loss& loss, ConstMatrixView targets, std::span<const Scalar> sample_weights) {
  auto owned_targets = std::make_shared<const Matrix>(targets);
  auto weights = std::make_shared<const std::vector<Scalar>>(sample_weights.begin(), sample_weights.end());
  return {[&loss, owned_targets, weights](ConstMatrixView y) { return loss.value(y, *owned_targets, *weights); },
          [&loss, owned_targets, weights](ConstMatrixView y, MatrixView dy) {
            loss.value_and_gradient(y, *owned_targets, *weights, dy);
          }};
}

Objective projection_objective(ConstMatrixView r) {
  auto owned = std::make_shared<const Matrix>(r);
  return {[owned](ConstMatrixView y) { return (y.cast<double>().array() * owned->cast<double>().array()).sum(); },
          [owned](ConstMatrixView /*y*/, MatrixView dy) { dy = *owned; }};
}

double GradientCheckReport::max_error() const {
  double worst = 0.0;
  for (const auto& t : tensors) worst = std::max(worst, t.max_error);
  return worst;
}

Index GradientCheckReport::skipped() const {
  Index skipped = 0;
  for (const auto& t : tensors) skipped += t.skipped;
  return skipped;
}

GradientCheckReport check_gradients(Layer& layer, ParamStore& params, ConstMatrixView x, const Objective& objective,
                                    const GradientCheckOptions& options) {
  Matrix input = x;  // a copy that the input check may perturb
  GradientCheckReport report;

  // Analytic gradients, from a forward with the draws every later evaluation replays.
  Probe probe(layer, input, objective, options.mode);
  params.zero_grads();
  const ConstMatrixView y = probe.forward();
  report.objective = objective.value(y);
  constexpr double kMostGrowth = 100.0;  // (the header)
  report.floor =
      std::clamp(options.loss_floor * std::abs(report.objective), options.floor, kMostGrowth * options.floor);
  Matrix dy(y.rows(), y.cols());
  objective.gradient(y, view(dy));
  const bool input_gradient_was_needed = layer.input_gradient_needed();
  layer.set_input_gradient_needed(options.check_input);
  const Matrix dx = layer.backward(dy);  // empty when the input is not checked
  layer.set_input_gradient_needed(input_gradient_was_needed);
  const std::vector<Scalar> analytic(params.grads().begin(), params.grads().end());

  for (const auto& p : params.params()) {
    if (!p.trainable) continue;
    report.tensors.push_back(check_tensor(p.name, params.values().data() + p.offset, analytic.data() + p.offset,
                                          p.size(), probe, options, report.floor));
  }
  if (options.check_input) {
    report.tensors.push_back(
        check_tensor("input", input.data(), dx.data(), input.size(), probe, options, report.floor));
  }
  probe.forward();  // leave the layer's caches consistent with x
  return report;
}

}  // namespace glassnet
