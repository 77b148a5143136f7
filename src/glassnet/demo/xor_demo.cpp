#include "glassnet/demo/xor_demo.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <ostream>

#include "glassnet/core/counted.hpp"
#include "glassnet/loss/bce_with_logits.hpp"
#include "glassnet/nn/network.hpp"
#include "glassnet/optim/sgd.hpp"
#include "glassnet/train/trainer.hpp"

namespace glassnet {

Matrix xor_inputs() {
  Matrix x(4, 2);
  x << 0, 0, 0, 1, 1, 0, 1, 1;
  return x;
}

Matrix xor_targets() {
  Matrix y(4, 1);
  y << 0, 1, 1, 0;
  return y;
}

bool xor_solved(ConstMatrixView predictions) {
  const Matrix targets = xor_targets();
  for (Index i = 0; i < 4; ++i) {
    const bool right = targets(i, 0) > 0.5 ? predictions(i, 0) > 0.95 : predictions(i, 0) < 0.05;
    if (!right) return false;
  }
  return true;
}

XorResult run_xor(const XorOptions& options) {
  Rng rng(options.seed);
  NetworkSpec spec;
  spec.in_features = 2;
  spec.hidden = {4, 4};
  spec.activation = Activation::relu;
  spec.out_features = 1;
  spec.init = InitScheme::he_normal;
  spec.hidden_bias = static_cast<Scalar>(options.hidden_bias);
  spec.output = OutputTransform::sigmoid;
  auto network = make_network(spec, rng);

  const BceWithLogits loss;
  Sgd sgd(options.learning_rate);
  Trainer trainer(*network, loss, sgd);
  const Matrix x = xor_inputs();
  const Matrix y = xor_targets();

  XorResult result;
  result.loss.reserve(static_cast<std::size_t>(options.epochs));
  OnEpochEnd record([&](const EpochLogs& epoch) {
    result.loss.push_back(epoch.train_loss);
    if (result.converged_epoch == 0 && xor_solved(view(network->predict(x)))) result.converged_epoch = epoch.epoch;
  });
  trainer.add_callback(record);
  // Full batch: all four rows in every step, in their order.
  trainer.fit({x, y}, {.epochs = options.epochs, .batch_size = 4, .seed = options.seed, .shuffle = false});
  result.predictions = network->predict(view(x));
  result.converged = xor_solved(view(result.predictions));
  if (!result.converged) result.converged_epoch = 0;
  return result;
}

void print_xor(std::ostream& out, const XorOptions& options, const XorResult& result, Index print_every) {
  fmt::print(out, "XOR: network 2 -> 4 -> 4 -> 1, ReLU hidden layers, sigmoid output\n");
  fmt::print(out, "He initialisation, hidden biases starting at {}\n", options.hidden_bias);
  fmt::print(out, "full-batch gradient descent, learning rate {}, {}, seed {}\n\n", options.learning_rate,
             counted(options.epochs, "epoch"), options.seed);
  fmt::print(out, "{:>6}  {:>8}\n", "epoch", "loss");
  const auto epochs = static_cast<Index>(result.loss.size());
  for (Index e = 1; e <= epochs; ++e) {
    if (e == 1 || e % print_every == 0 || e == epochs) {
      fmt::print(out, "{:>6}  {:>8.4f}\n", e, result.loss[static_cast<std::size_t>(e - 1)]);
    }
  }
  const Matrix x = xor_inputs();
  const Matrix y = xor_targets();
  fmt::print(out, "\n{:>5} {:>5}  {:>6}  {:>10}\n", "x1", "x2", "target", "prediction");
  for (Index i = 0; i < 4; ++i) {
    fmt::print(out, "{:>5} {:>5}  {:>6}  {:>10.4f}\n", x(i, 0), x(i, 1), y(i, 0), result.predictions(i, 0));
  }
  if (result.converged) {
    fmt::print(out, "\nconverged: every prediction is below 0.05 or above 0.95 from epoch {}\n",
               result.converged_epoch);
  } else {
    fmt::print(out,
               "\nnot converged: a prediction is still between 0.05 and 0.95 (with 4-unit ReLU layers, units can "
               "die: a unit whose input is negative for all four rows gets no gradient and never recovers)\n");
  }
}

}  // namespace glassnet
