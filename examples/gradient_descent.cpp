// Gradient descent in one dimension, with glassnet's parameter store and SGD:
// minimise L(w) = (w − 2)^2 + 0.5 from w = −3 with learning rate 0.15 for 20 steps.
// Each row shows the loss and gradient at the current w, and the w the step moves to.
// The error w − 2 shrinks by (1 − 2·0.15) = 0.7 per step: w_20 = 2 − 5·0.7^20 = 1.9960.

#include <fmt/format.h>

#include "glassnet/nn/param_store.hpp"
#include "glassnet/optim/sgd.hpp"

int main() {
  using namespace glassnet;
  ParamStore params;
  const auto w = params.add("w", {1}, 1, 1, ParamRole::weight);
  params.value(w)(0, 0) = -3;
  Sgd sgd(0.15);

  const auto loss_at = [](double x) { return (x - 2.0) * (x - 2.0) + 0.5; };
  fmt::print("minimise L(w) = (w - 2)^2 + 0.5 from w = -3, learning rate 0.15\n\n");
  fmt::print("{:>4}  {:>10}  {:>10}  {:>10}\n", "step", "weight", "loss", "gradient");
  for (int step = 0; step < 20; ++step) {
    const double current = params.value(w)(0, 0);
    const double gradient = 2.0 * (current - 2.0);  // dL/dw
    params.grad(w)(0, 0) = static_cast<Scalar>(gradient);
    sgd.step(params);
    fmt::print("{:>4}  {:>10.4f}  {:>10.4f}  {:>10.4f}\n", step, params.value(w)(0, 0), loss_at(current), gradient);
  }
  const double final_weight = params.value(w)(0, 0);
  fmt::print("\nfinal weight {:.4f}, final loss {:.6f}\n", final_weight, loss_at(final_weight));
  return 0;
}
