#pragma once
// Finite-difference gradient checking: the proof that backward is right.
//
// For a layer (or a whole network) f with parameters θ and input x, and a scalar
// objective L(y) of its output y = f(x), the analytic gradients from backward are
// compared with the five-point central difference
//     n = [8 (L(θ+h) − L(θ−h)) − (L(θ+2h) − L(θ−2h))] / 12h        (error O(h^4))
// for every element of every trainable parameter and (optionally) of x. The error of
// an element is
//     |a − n| / max(|a|, |n|, floor)
// — the relative error, with an absolute floor so that elements whose gradient is
// below the floor are judged by their absolute error |a − n| / floor instead
// (the relative error of a near-zero quantity measures rounding noise, not backward).
// The rounding of L is relative to L, and so is that of every difference of it: the
// floor is max(floor, loss_floor × |L|), L at the unperturbed parameters, and at most
// 100 × floor (a loss beyond that is a finding of its own, and a floor that grew without
// bound would pass anything). The report gives, per tensor, the worst element, and the
// floor used.
//
// Stochastic layers (Dropout) replay the same draws in every evaluation: the checker
// saves their generators' states first and restores them before each forward.
//
// ReLU and LeakyReLU have a kink at z = 0, where no difference quotient means
// anything. The checker records which side of its kink every ReLU-family input lies
// on (z > 0 or not, as backward decides); where the central difference's steps move any
// of them across, it takes the one-sided difference on a side whose steps cross none
// (five points in double, error O(h^4); three in float, O(h²), whose rounding is
// smaller), so the step stays large. Where both sides cross, it retries with a step 8
// times smaller (in double, then 64 times), and an element that still crosses on both
// sides is skipped and counted. An input exactly at its kink is checked from below, the
// side backward takes.

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "glassnet/core/matrix.hpp"
#include "glassnet/loss/loss.hpp"
#include "glassnet/nn/layer.hpp"

namespace glassnet {

struct GradientCheckOptions {
  // Difference step h, and the floor of the error's denominator.
  double step = kDoublePrecision ? 1e-3 : 1e-2;
  double floor = kDoublePrecision ? 1e-4 : 1e-1;
  // The floor's growth with the loss, per unit of |L|. In float, the worst of 4,800
  // random networks (`glassnet gradcheck`), an MSE at |L| = 50 through three LeakyReLU
  // layers, left a difference 0.016 off a correct gradient: 3.2e-4 per unit of loss,
  // which over the tests' tolerance of 2 % asks a floor of 1.6e-2 per unit; this is
  // three times it. In double the same arithmetic rounds 2^29 times finer over a step 10
  // times smaller: 5.9e-12 per unit, over the tests' tolerance of 1e-6 6e-6, and three
  // times it 2e-5.
  double loss_floor = kDoublePrecision ? 2e-5 : 5e-2;
  bool check_input = true;  // also check dL/dx
  Mode mode = Mode::train;  // the mode of every forward
};

// A scalar objective of a layer's output: its value, and its gradient dy = dL/dy.
struct Objective {
  std::function<double(ConstMatrixView y)> value;
  std::function<void(ConstMatrixView y, MatrixView dy)> gradient;
};

// L(y) = loss(y, targets, sample_weights): for whole networks. Keeps copies of targets
// and weights; `loss` must outlive the objective.
Objective loss_objective(const Loss& loss, ConstMatrixView targets, std::span<const Scalar> sample_weights = {});
// L(y) = Σ y ⊙ r for a fixed r:[B, out]: for single layers (every output weighted).
Objective projection_objective(ConstMatrixView r);

struct TensorCheck {
  std::string name;        // parameter name, or "input"
  Index size = 0;          // elements of the tensor
  Index skipped = 0;       // elements skipped at a ReLU kink
  double max_error = 0.0;  // the worst element's error (see above)
  Index worst_index = 0;   // its flat index
  double analytic = 0.0;   // its gradient from backward
  double numeric = 0.0;    // its difference quotient (central, or one-sided at a kink)
  double max_abs_gradient = 0.0;
};

struct GradientCheckReport {
  std::vector<TensorCheck> tensors;
  double objective = 0.0;  // L at the unperturbed parameters and input
  double floor = 0.0;      // the floor used: max(floor, loss_floor × |objective|) (options)
  double max_error() const;
  Index skipped() const;
  bool passed(double tolerance) const { return max_error() <= tolerance; }
};

// Checks `layer` (built, with parameters in `params`) at input x:[B, in]. Restores every
// parameter; leaves the store's gradients as backward computed them.
GradientCheckReport check_gradients(Layer& layer, ParamStore& params, ConstMatrixView x, const Objective& objective,
                                    const GradientCheckOptions& options = {});

}  // namespace glassnet
