#include "glassnet/diag/gradient_check.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "glassnet/nn/sequential.hpp"

namespace glassnet {
namespace {

double element_error(double analytic, double numeric, double floor) {
  const double scale = std::max({std::abs(analytic), std::abs(numeric), floor});
  return std::abs(analytic - numeric) / scale;
}

// Central differences for every element of `values` (mutated and restored), compared
// with `analytic` (same layout).
TensorCheck check_tensor(std::string name, Scalar* values, const Scalar* analytic, Index size,
                         const std::function<double()>& evaluate, const GradientCheckOptions& options) {
  TensorCheck check;
  check.name = std::move(name);
  check.size = size;
  for (Index j = 0; j < size; ++j) {
    const Scalar original = values[j];
    values[j] = static_cast<Scalar>(original + options.step);
    const double plus = evaluate();
    values[j] = static_cast<Scalar>(original - options.step);
    const double minus = evaluate();
    values[j] = original;
    // The step actually taken, after rounding to Scalar.
    const double taken = static_cast<double>(static_cast<Scalar>(original + options.step)) -
                         static_cast<double>(static_cast<Scalar>(original - options.step));
    const double numeric = (plus - minus) / taken;
    const double error = element_error(analytic[j], numeric, options.floor);
    check.max_abs_gradient = std::max(check.max_abs_gradient, std::abs(static_cast<double>(analytic[j])));
    if (j == 0 || error > check.max_error || !std::isfinite(error)) {
      check.max_error = std::isfinite(error) ? error : std::numeric_limits<double>::infinity();
      check.worst_index = j;
      check.analytic = analytic[j];
      check.numeric = numeric;
    }
  }
  return check;
}

void collect_kinks(Layer& layer, ConstMatrixView input, double& distance) {
  if (auto* sequential = dynamic_cast<Sequential*>(&layer)) {
    SavedView in = input;
    for (Index i = 0; i < sequential->size(); ++i) {
      collect_kinks(sequential->layer(i), in.view(), distance);
      in = sequential->layer(i).output();
    }
    return;
  }
  if (layer.kind() == "relu" || layer.kind() == "leaky_relu") {
    if (input.size() > 0) distance = std::min(distance, static_cast<double>(input.array().abs().minCoeff()));
  }
}

}  // namespace

Objective loss_objective(const Loss& loss, ConstMatrixView targets) {
  return {[&loss, targets](ConstMatrixView y) { return loss.value(y, targets); },
          [&loss, targets](ConstMatrixView y, MatrixView dy) { loss.value_and_gradient(y, targets, {}, dy); }};
}

Objective projection_objective(ConstMatrixView r) {
  return {[r](ConstMatrixView y) { return (y.cast<double>().array() * r.cast<double>().array()).sum(); },
          [r](ConstMatrixView /*y*/, MatrixView dy) { dy = r; }};
}

double GradientCheckReport::max_error() const {
  double worst = 0.0;
  for (const auto& t : tensors) worst = std::max(worst, t.max_error);
  return worst;
}

GradientCheckReport check_gradients(Layer& layer, ParamStore& params, ConstMatrixView x, const Objective& objective,
                                    const GradientCheckOptions& options) {
  Matrix input = x;  // a copy that the input check may perturb
  GradientCheckReport report;

  // Analytic gradients.
  params.zero_grads();
  const ConstMatrixView y = layer.forward(view(input), Mode::train);
  Matrix dy(y.rows(), y.cols());
  objective.gradient(y, view(dy));
  const bool input_gradient_was_needed = layer.input_gradient_needed();
  layer.set_input_gradient_needed(options.check_input);
  const Matrix dx = layer.backward(view(dy));  // empty when the input is not checked
  layer.set_input_gradient_needed(input_gradient_was_needed);
  const std::vector<Scalar> analytic(params.grads().begin(), params.grads().end());

  const auto evaluate = [&] { return objective.value(layer.forward(view(input), Mode::train)); };
  for (const auto& p : params.params()) {
    if (!p.trainable) continue;
    report.tensors.push_back(check_tensor(p.name, params.values().data() + p.offset, analytic.data() + p.offset,
                                          p.size(), evaluate, options));
  }
  if (options.check_input) {
    report.tensors.push_back(check_tensor("input", input.data(), dx.data(), input.size(), evaluate, options));
  }
  layer.forward(view(input), Mode::train);  // leave the layer's caches consistent with x
  return report;
}

double kink_distance(Layer& layer, ConstMatrixView x) {
  layer.forward(x, Mode::train);
  double distance = std::numeric_limits<double>::infinity();
  collect_kinks(layer, x, distance);
  return distance;
}

}  // namespace glassnet
