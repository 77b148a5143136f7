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

// The five-point difference of element `value`, or nullopt if every step tried
// crossed a kink.
std::optional<double> difference(Scalar& value, Probe& probe, double step) {
  const Scalar original = value;
  for (int attempt = 0; attempt < 3; ++attempt, step /= 8) {
    bool all_same = true;
    const auto at = [&](double offset) {
      value = static_cast<Scalar>(original + offset);
      bool same = true;
      const double v = probe.value(same);
      all_same = all_same && same;
      return v;
    };
    const double plus = at(step), minus = at(-step), plus2 = at(2 * step), minus2 = at(-2 * step);
    value = original;
    if (all_same) return (8.0 * (plus - minus) - (plus2 - minus2)) / (12.0 * step);
  }
  return std::nullopt;
}

TensorCheck check_tensor(std::string name, Scalar* values, const Scalar* analytic, Index size, Probe& probe,
                         const GradientCheckOptions& options) {
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
    double error = element_error(analytic[j], *numeric, options.floor);
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
  Matrix dy(y.rows(), y.cols());
  objective.gradient(y, view(dy));
  const bool input_gradient_was_needed = layer.input_gradient_needed();
  layer.set_input_gradient_needed(options.check_input);
  const Matrix dx = layer.backward(dy);  // empty when the input is not checked
  layer.set_input_gradient_needed(input_gradient_was_needed);
  const std::vector<Scalar> analytic(params.grads().begin(), params.grads().end());

  for (const auto& p : params.params()) {
    if (!p.trainable) continue;
    report.tensors.push_back(
        check_tensor(p.name, params.values().data() + p.offset, analytic.data() + p.offset, p.size(), probe, options));
  }
  if (options.check_input) {
    report.tensors.push_back(check_tensor("input", input.data(), dx.data(), input.size(), probe, options));
  }
  probe.forward();  // leave the layer's caches consistent with x
  return report;
}

}  // namespace glassnet
