// glassnet gradcheck: builds a network from flags, checks its backward pass against
// central differences on random data, prints the worst error per parameter, and exits
// 1 when any error is above the tolerance.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/number_checks.hpp"
#include "glassnet/core/error.hpp"
#include "glassnet/diag/gradient_check.hpp"
#include "glassnet/nn/network.hpp"

namespace glassnet::cli {
namespace {

// The most multiply-adds a check runs (--layers 256,256 --batch 64, 1.2e12, takes 20 s
// on 2 cores in float).
constexpr double kMaxCheckWork = 3e12;

struct GradcheckOptions {
  std::vector<Index> layers{16, 16};
  std::string activation = "tanh";
  std::string init = "auto";
  std::string loss = "bce";
  Index inputs = 8;
  Index outputs = 1;
  Index batch = 7;
  std::uint64_t seed = 1;
  double tolerance = kDoublePrecision ? 1e-6 : 2e-2;
};

// Targets that fit the loss: 0/1 for BCE, class indices for cross-entropy, N(0,1) for MSE.
Matrix random_targets(LossKind loss, Index rows, Index outputs, Rng& rng) {
  const Index cols = loss == LossKind::softmax_cross_entropy ? 1 : outputs;
  Matrix targets(rows, cols);
  for (Index i = 0; i < targets.size(); ++i) {
    switch (loss) {
      case LossKind::bce_with_logits: targets.data()[i] = static_cast<Scalar>(rng.below(2)); break;
      case LossKind::softmax_cross_entropy:
        targets.data()[i] = static_cast<Scalar>(rng.below(static_cast<std::uint64_t>(outputs)));
        break;
      case LossKind::mse: targets.data()[i] = static_cast<Scalar>(rng.normal()); break;
    }
  }
  return targets;
}

int run(const GradcheckOptions& options) {
  const auto activation = parse_activation(options.activation);
  if (!activation) throw Error(fmt::format("--activation: unknown activation '{}'", options.activation));
  const auto init = parse_init(options.init);
  if (!init) throw Error(fmt::format("--init: unknown initialiser '{}'", options.init));
  const auto loss_kind = parse_loss(options.loss);
  if (!loss_kind) throw Error(fmt::format("--loss: unknown loss '{}'", options.loss));
  if (*loss_kind == LossKind::softmax_cross_entropy && options.outputs < 2) {
    throw Error("--loss cross-entropy needs --outputs 2 or more");
  }

  // The work: four forward passes of the batch per parameter and input element (the five-point
  // difference). Each flag is within its range, but together they could ask for hours
  // (--layers 1024,1024: 3e13).
  double parameters = 0.0, multiply_adds = 0.0;  // per row
  Index in = options.inputs;
  for (const Index out : [&] {
         std::vector<Index> widths = options.layers;
         widths.push_back(options.outputs);
         return widths;
       }()) {
    parameters += static_cast<double>(in) * static_cast<double>(out) + static_cast<double>(out);
    multiply_adds += static_cast<double>(in) * static_cast<double>(out);
    in = out;
  }
  // (The input's elements are checked too: inputs × batch more.)
  const double checked = parameters + static_cast<double>(options.inputs) * static_cast<double>(options.batch);
  const double work = 4.0 * checked * multiply_adds * static_cast<double>(options.batch);
  if (work > kMaxCheckWork) {
    throw Error(
        fmt::format("{:.0f} parameters and inputs, each checked by four forward passes of the batch ({:.2g} "
                    "multiply-adds), make {:.2g} multiply-adds, above the {:g} a check may take; use fewer or "
                    "narrower --layers, or a smaller --batch or --inputs",
                    checked, multiply_adds * static_cast<double>(options.batch), work, kMaxCheckWork));
  }

  NetworkSpec spec;
  spec.in_features = options.inputs;
  spec.hidden = options.layers;
  spec.activation = *activation;
  spec.out_features = options.outputs;
  spec.init = *init;
  Rng rng(options.seed);
  auto network = make_network(spec, rng);
  const auto loss = make_loss(*loss_kind);
  const GradientCheckOptions check_options;

  Matrix x(options.batch, options.inputs);
  for (Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<Scalar>(rng.normal());
  const Matrix targets = random_targets(*loss_kind, options.batch, options.outputs, rng);

  const GradientCheckReport report = check_gradients(network->layers(), network->params(), view(x),
                                                     loss_objective(*loss, view(targets)), check_options);

  fmt::print("gradient check: {} precision, step {:g}, error floor {:.3g}{}, tolerance {:g}\n",
             kDoublePrecision ? "double" : "float", check_options.step, report.floor,
             report.floor > check_options.floor
                 ? fmt::format(" ({:g} × the loss, {:.4g})", check_options.loss_floor, report.objective)
                 : std::string(),
             options.tolerance);
  fmt::print("network {}", options.inputs);
  for (Index w : options.layers) fmt::print(" -> {} {}", w, options.activation);
  fmt::print(" -> {} ({} loss), batch {}, seed {}\n\n", options.outputs, loss->name(), options.batch, options.seed);
  fmt::print("{:<20} {:>8} {:>12} {:>14} {:>14}\n", "parameter", "elements", "max error", "analytic", "numeric");
  // A tensor whose every element sits at a kink was not checked at all: its zeros are no
  // measurement, and "ok" beside them proved nothing (--init zeros --activation relu).
  std::vector<std::string> unchecked;
  for (const auto& t : report.tensors) {
    const bool none = t.size > 0 && t.skipped == t.size;
    if (none) unchecked.push_back(t.name);
    const bool ok = t.max_error <= options.tolerance;
    fmt::print("{:<20} {:>8} {:>12.3e} {:>14.6e} {:>14.6e}  {}{}\n", t.name, t.size, t.max_error, t.analytic, t.numeric,
               none ? "NOT CHECKED"
               : ok ? "ok"
                    : "FAILED",
               t.skipped > 0 ? fmt::format(" ({} skipped at a ReLU kink)", t.skipped) : "");
  }
  const bool passed = report.passed(options.tolerance);
  if (passed && !unchecked.empty()) {
    fmt::print("\nworst error {:.3e}, but not checked: {} (every element at a ReLU kink)\n", report.max_error(),
               fmt::join(unchecked, ", "));
    return 1;
  }
  fmt::print("\nworst error {:.3e}: {}\n", report.max_error(), passed ? "passed" : "FAILED (above the tolerance)");
  return passed ? 0 : 1;
}

}  // namespace

void add_gradcheck_command(CLI::App& app, int& exit_code) {
  auto* command =
      app.add_subcommand("gradcheck", "Check backpropagation against finite differences on a network built from flags");
  auto options = std::make_shared<GradcheckOptions>();
  add_whole_numbers(*command, "--layers", options->layers, 1, kMaxCheckedWidth, "Hidden layer widths, comma-separated");
  command->add_option("--activation", options->activation, "Hidden activation")
      ->check(CLI::IsMember({"relu", "leaky-relu", "gelu", "gelu-tanh", "tanh", "sigmoid", "identity"}))
      ->capture_default_str();
  command->add_option("--init", options->init, "Weight initialiser")
      ->check(CLI::IsMember({"auto", "he", "he-uniform", "xavier", "xavier-uniform", "lecun", "zeros"}))
      ->capture_default_str();
  command->add_option("--loss", options->loss, "Loss")
      ->check(CLI::IsMember({"bce", "cross-entropy", "mse"}))
      ->capture_default_str();
  command->add_option("--inputs", options->inputs, "Input features")
      ->check(whole_number(1, kMaxCheckedWidth))
      ->capture_default_str();
  command->add_option("--outputs", options->outputs, "Outputs")
      ->check(whole_number(1, kMaxCheckedWidth))
      ->capture_default_str();
  command->add_option("--batch", options->batch, "Batch size")
      ->check(whole_number(1, kMaxCheckedWidth))
      ->capture_default_str();
  command->add_option("--seed", options->seed, "Random seed")->check(whole_number(0, kMaxSeed))->capture_default_str();
  command->add_option("--tolerance", options->tolerance, "Largest acceptable error")
      ->check(real_number(0.0, true))
      ->capture_default_str();
  command->callback([options, &exit_code] { exit_code = run(*options); });
}

}  // namespace glassnet::cli
