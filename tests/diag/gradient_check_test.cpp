// Proven backpropagation: every layer, every loss and random whole networks are
// checked against finite differences (gradient_check.hpp).
//
// Double build (GLASSNET_DOUBLE): step 1e-3, error floor 1e-4, tolerance 1e-6.
// Float build: the same checks, looser. A float forward pass rounds every logit to
// ~1e-7 relative, and through 16 layers the loss carries rounding of ~1e-6; divided
// by the step (1e-2) that is ~1e-4 absolute in each difference. So the float build
// uses an error floor of 0.1 and a tolerance of 2e-2: gradients above 0.1 must agree
// to 2 % and smaller ones to 2e-3 absolute. Measured worst case: about 1e-2.

#include "glassnet/diag/gradient_check.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>

#include "glassnet/loss/loss.hpp"
#include "glassnet/nn/network.hpp"
#include "glassnet/nn/sequential.hpp"
#include "test_support.hpp"

namespace glassnet {
namespace {

using testing::every_layer;
using testing::kEveryActivation;
using testing::random_matrix;

constexpr double kTolerance = kDoublePrecision ? 1e-6 : 2e-2;
// How wrong the deliberately broken layers below are: each build must catch it.
constexpr double kWrongBy = kDoublePrecision ? 1.01 : 1.10;

std::string describe(const GradientCheckReport& report) {
  std::string text;
  for (const auto& t : report.tensors) {
    text += fmt::format("  {:<18} error {:.3e}  analytic {:.6e}  numeric {:.6e}  max |g| {:.3e}\n", t.name, t.max_error,
                        t.analytic, t.numeric, t.max_abs_gradient);
  }
  return text;
}

TEST(GradientCheck, EveryLayerInBothModes) {
  for (const auto& factory : every_layer()) {
    for (Index batch : {1, 7}) {
      for (Mode mode : {Mode::train, Mode::eval}) {
        if (factory.name == "batch_norm" && mode == Mode::train && batch == 1) continue;  // needs 2 rows
        SCOPED_TRACE(fmt::format("{} batch {} {}", factory.name, batch, mode == Mode::train ? "train" : "eval"));
        Rng rng(10);
        ParamStore params;
        LayerPtr layer = factory.make();
        const Index out = layer->build(5, params, "layer.");
        layer->initialize(rng);
        testing::randomize(params, rng);
        const Matrix x = random_matrix(batch, 5, rng);
        const Matrix r = random_matrix(batch, out, rng);
        GradientCheckOptions options;
        options.mode = mode;
        const auto report = check_gradients(*layer, params, view(x), projection_objective(view(r)), options);
        Index trainable = 0;
        for (const auto& p : params.params()) trainable += p.trainable ? 1 : 0;
        EXPECT_EQ(report.tensors.size(), static_cast<std::size_t>(trainable + 1));
        EXPECT_LE(report.max_error(), kTolerance) << describe(report);
        EXPECT_EQ(report.skipped(), 0);
      }
    }
  }
}

TEST(GradientCheck, EveryLoss) {
  for (auto kind : {LossKind::bce_with_logits, LossKind::softmax_cross_entropy, LossKind::mse}) {
    for (bool weighted : {false, true}) {
      SCOPED_TRACE(fmt::format("{} weighted={}", loss_name(kind), weighted));
      Rng rng(20);
      const Index batch = 7, outputs = 4;
      const auto loss = make_loss(kind);
      Matrix targets(batch, kind == LossKind::softmax_cross_entropy ? 1 : outputs);
      for (Index i = 0; i < targets.size(); ++i) {
        targets.data()[i] = kind == LossKind::softmax_cross_entropy ? static_cast<Scalar>(rng.below(outputs))
                            : kind == LossKind::bce_with_logits     ? static_cast<Scalar>(rng.uniform())
                                                                    : static_cast<Scalar>(rng.normal());
      }
      std::vector<Scalar> weights;
      if (weighted) {
        for (Index i = 0; i < batch; ++i) weights.push_back(static_cast<Scalar>(rng.uniform(0.1, 3.0)));
      }
      // The loss's gradient with respect to the logits: an identity layer in front.
      Identity identity;
      ParamStore params;
      identity.build(outputs, params, "");
      const Matrix logits = random_matrix(batch, outputs, rng, 2.0);
      const auto report =
          check_gradients(identity, params, view(logits), loss_objective(*loss, view(targets), weights));
      ASSERT_EQ(report.tensors.size(), 1u);
      EXPECT_LE(report.max_error(), kTolerance) << describe(report);
    }
  }
}

struct NetworkCase {
  Index depth;
  Activation activation;
  Index batch;
  LossKind loss;
};

TEST(GradientCheck, RandomWholeNetworks) {
  std::vector<NetworkCase> cases;
  const LossKind losses[] = {LossKind::bce_with_logits, LossKind::softmax_cross_entropy, LossKind::mse};
  int n = 0;
  for (Index depth = 1; depth <= 16; ++depth) {
    for (Activation activation : kEveryActivation) {
      for (Index batch : {1, 7}) cases.push_back({depth, activation, batch, losses[n++ % 3]});
    }
  }
  double worst = 0, checked = 0, skipped = 0;
  for (const auto& c : cases) {
    const std::string label =
        fmt::format("depth {} {} batch {} {}", c.depth, activation_name(c.activation), c.batch, loss_name(c.loss));
    SCOPED_TRACE(label);
    Rng rng(static_cast<std::uint64_t>(1000 + c.depth * 100 + static_cast<int>(c.activation) * 10 + c.batch));
    NetworkSpec spec;
    spec.in_features = 3 + static_cast<Index>(rng.below(4));
    for (Index i = 0; i < c.depth; ++i) spec.hidden.push_back(3 + static_cast<Index>(rng.below(6)));
    spec.activation = c.activation;
    spec.out_features = c.loss == LossKind::softmax_cross_entropy ? 3 : 2;
    spec.hidden_bias = Scalar(0.05);
    auto network = make_network(spec, rng);
    const auto loss = make_loss(c.loss);
    Matrix targets(c.batch, c.loss == LossKind::softmax_cross_entropy ? 1 : spec.out_features);
    for (Index i = 0; i < targets.size(); ++i) {
      targets.data()[i] = c.loss == LossKind::softmax_cross_entropy ? static_cast<Scalar>(rng.below(3))
                          : c.loss == LossKind::bce_with_logits     ? static_cast<Scalar>(rng.below(2))
                                                                    : static_cast<Scalar>(rng.normal());
    }
    network->layers().set_input_gradient_needed(true);
    const Matrix x = random_matrix(c.batch, spec.in_features, rng);
    const auto report =
        check_gradients(network->layers(), network->params(), view(x), loss_objective(*loss, view(targets)));
    EXPECT_EQ(report.tensors.size(), static_cast<std::size_t>(2 * (c.depth + 1) + 1));
    EXPECT_LE(report.max_error(), kTolerance) << describe(report);
    worst = std::max(worst, report.max_error());
    checked += static_cast<double>(network->params().size() + x.size());
    skipped += static_cast<double>(report.skipped());
    const bool has_kinks = c.activation == Activation::relu || c.activation == Activation::leaky_relu;
    if (!has_kinks) {
      EXPECT_EQ(report.skipped(), 0) << "no kinks, nothing to skip";
    }
  }
  // Kinks are rare: almost every element is checked.
  EXPECT_LT(skipped / checked, 1e-3) << skipped << " of " << checked << " skipped at kinks";
  std::cout << fmt::format(
      "{} networks, {} elements checked, {} skipped at ReLU kinks; worst error {:.3e} "
      "(tolerance {:.0e})\n",
      cases.size(), checked - skipped, skipped, worst, kTolerance);
}

// A checker that cannot fail proves nothing: a layer with a deliberately wrong
// backward must be caught, whether the error is in a parameter or the input gradient.
class WrongWeightGradient : public Linear {
 public:
  using Linear::Linear;
  ConstMatrixView backward(ConstMatrixView dy) override {
    const ConstMatrixView dx = Linear::backward(dy);
    store_->grad(weight_id())(0, 0) *= static_cast<Scalar>(kWrongBy);
    return dx;
  }
  Index build(Index in_features, ParamStore& store, const std::string& prefix) override {
    store_ = &store;
    return Linear::build(in_features, store, prefix);
  }

 private:
  ParamStore* store_ = nullptr;
};

class WrongInputGradient : public ElementwiseLayer {
 public:
  std::string_view kind() const override { return "wrong"; }
  Activation activation() const override { return Activation::tanh; }

 protected:
  void apply(ConstMatrixView x, MatrixView y) const override { y.array() = x.array().tanh(); }
  void gradient(ConstMatrixView, ConstMatrixView y, ConstMatrixView dy, MatrixView dx) const override {
    dx.array() = dy.array() * (Scalar(1) - y.array().square()) * static_cast<Scalar>(kWrongBy);
  }
};

TEST(GradientCheck, CatchesAWrongParameterGradient) {
  Rng rng(30);
  ParamStore params;
  WrongWeightGradient layer(3);
  layer.build(4, params, "wrong.");
  layer.initialize(rng);
  const Matrix x = random_matrix(5, 4, rng);
  const Matrix r = random_matrix(5, 3, rng);
  const auto report = check_gradients(layer, params, view(x), projection_objective(view(r)));
  EXPECT_GT(report.max_error(), 5e-3) << describe(report);
  EXPECT_EQ(report.tensors.front().name, "wrong.weight");
  EXPECT_EQ(report.tensors.front().worst_index, 0);
}

TEST(GradientCheck, CatchesAWrongInputGradient) {
  Rng rng(31);
  ParamStore params;
  WrongInputGradient layer;
  layer.build(4, params, "");
  const Matrix x = random_matrix(5, 4, rng);
  const Matrix r = random_matrix(5, 4, rng);
  const auto report = check_gradients(layer, params, view(x), projection_objective(view(r)));
  EXPECT_GT(report.max_error(), 5e-3) << describe(report);
  EXPECT_EQ(report.tensors.back().name, "input");
}

// The rounding of every difference is relative to the loss, and so is the floor: a
// network whose outputs sit far from their targets passes with a floor that grows with
// |L|, and a wrong gradient under that loss is still caught.
TEST(GradientCheck, TheFloorScalesWithTheLoss) {
  Rng rng(41);
  auto network =
      make_network({.in_features = 6, .hidden = {24, 24, 24}, .activation = Activation::tanh, .out_features = 2}, rng);
  const auto mse = make_loss(LossKind::mse);
  Matrix targets = random_matrix(9, 2, rng);
  targets.array() += Scalar(5);  // far from any output: L ≈ 25
  network->layers().set_input_gradient_needed(true);
  const Matrix x = random_matrix(9, 6, rng);
  const auto report =
      check_gradients(network->layers(), network->params(), view(x), loss_objective(*mse, view(targets)));
  EXPECT_GT(report.objective, 10.0);
  const GradientCheckOptions options;
  EXPECT_DOUBLE_EQ(report.floor, std::max(options.floor, options.loss_floor * report.objective));
  EXPECT_LE(report.max_error(), kTolerance) << describe(report);

  // Where the grown floor is above an element's gradients, its error is its absolute
  // error over that floor: every tensor is judged by the floor the report names.
  GradientCheckOptions wide;
  wide.floor = 1.0;
  wide.loss_floor = 1.0;  // a floor of |L|, above every gradient here
  const auto judged =
      check_gradients(network->layers(), network->params(), view(x), loss_objective(*mse, view(targets)), wide);
  EXPECT_DOUBLE_EQ(judged.floor, judged.objective);
  for (const TensorCheck& t : judged.tensors) {
    ASSERT_LT(std::max(std::abs(t.analytic), std::abs(t.numeric)), judged.floor) << t.name;
    EXPECT_DOUBLE_EQ(t.max_error, std::abs(t.analytic - t.numeric) / judged.floor) << t.name;
  }
  // And it grows no further than 100 times the floor as given.
  wide.loss_floor = 1e6;
  const auto capped =
      check_gradients(network->layers(), network->params(), view(x), loss_objective(*mse, view(targets)), wide);
  EXPECT_DOUBLE_EQ(capped.floor, 100 * wide.floor);

  const auto small = check_gradients(network->layers(), network->params(), view(x),
                                     loss_objective(*mse, view(Matrix(network->predict(x)))));
  EXPECT_LT(small.objective, 1.0);
  EXPECT_DOUBLE_EQ(small.floor, options.floor) << "no smaller than the floor as given";

  ParamStore params;
  WrongWeightGradient wrong(2);
  wrong.build(6, params, "wrong.");
  wrong.initialize(rng);
  const auto caught = check_gradients(wrong, params, view(x), loss_objective(*mse, view(targets)));
  EXPECT_GT(caught.objective, 10.0);
  EXPECT_GT(caught.max_error(), 1.5 * kTolerance) << describe(caught);
  EXPECT_EQ(caught.tensors.front().name, "wrong.weight");
}

TEST(GradientCheck, LeavesParametersAsTheyWere) {
  Rng rng(32);
  ParamStore params;
  Linear layer(3);
  layer.build(4, params, "l.");
  layer.initialize(rng);
  const std::vector<Scalar> before(params.values().begin(), params.values().end());
  const Matrix x = random_matrix(2, 4, rng);
  const Matrix r = random_matrix(2, 3, rng);
  check_gradients(layer, params, view(x), projection_objective(view(r)));
  EXPECT_TRUE(std::equal(before.begin(), before.end(), params.values().begin()));
}

// An element whose central steps cross a kink on one side is checked on the other, with
// the step kept: relu(x) at x = 1e-5 (every step below crosses, and steps 64 times
// smaller still would) and at x = 0 (backward takes the side below).
TEST(GradientCheck, ChecksAnElementNearAKinkFromTheSideThatCrossesNone) {
  Sequential net;
  net.add(make_activation(Activation::relu));
  ParamStore params;
  net.build(1, params, "");
  for (const Scalar at : {Scalar(1e-5), Scalar(0)}) {
    Matrix x(1, 1);
    x << at;
    Matrix r(1, 1);
    r << 2;
    const auto report = check_gradients(net, params, view(x), projection_objective(view(r)));
    ASSERT_EQ(report.tensors.size(), 1u);
    EXPECT_EQ(report.skipped(), 0) << at;
    EXPECT_NEAR(report.tensors[0].numeric, at > 0 ? 2.0 : 0.0, 1e-3) << at;
    EXPECT_LE(report.max_error(), kTolerance) << at;
  }
  // On a curved objective, exp(5 relu(x)) just above the kink, the one-sided difference
  // keeps its order: a first-order one, (L(x+h) − L(x)) / h, is off by 2.5 % in float
  // (h L''/2L' = 5h/2), and the three-point one by 8e-6 in double (h² L'''/3L' = 25h²/3).
  Matrix near(1, 1);
  near << Scalar(1e-5);
  const Objective curved{[](ConstMatrixView y) { return std::exp(5.0 * static_cast<double>(y(0, 0))); },
                         [](ConstMatrixView y, MatrixView dy) {
                           dy(0, 0) = static_cast<Scalar>(5.0 * std::exp(5.0 * static_cast<double>(y(0, 0))));
                         }};
  const auto on_curve = check_gradients(net, params, view(near), curved);
  EXPECT_EQ(on_curve.skipped(), 0);
  EXPECT_LE(on_curve.max_error(), kTolerance) << describe(on_curve);
  // The one-sided difference judges too: a backward that doubles the gradient fails.
  Matrix x(1, 1);
  x << Scalar(1e-5);
  const Objective doubled{[](ConstMatrixView y) { return 2.0 * static_cast<double>(y(0, 0)); },
                          [](ConstMatrixView, MatrixView dy) { dy(0, 0) = 4; }};
  const auto wrong = check_gradients(net, params, view(x), doubled);
  EXPECT_EQ(wrong.skipped(), 0);
  EXPECT_NEAR(wrong.max_error(), 0.5, 1e-3) << "analytic 4, numeric 2: |4 − 2| / 4";
  EXPECT_FALSE(wrong.passed(kTolerance));
}

// Where both sides cross, at every step, the element is skipped: x feeds relu(x) and
// relu(−x) at x = 0 (a step up moves the first across, a step down the second).
TEST(GradientCheck, SkipsElementsWhoseStepsCrossAKinkOnBothSides) {
  Rng rng(1);
  Sequential net;
  net.add(std::make_unique<Linear>(2));
  net.add(make_activation(Activation::relu));
  ParamStore params;
  net.build(1, params, "");
  net.initialize(rng);
  params.values()[0] = 1;                       // weight of the first unit
  params.values()[1] = -1;                      // of the second
  params.values()[2] = params.values()[3] = 0;  // biases
  Matrix x(1, 1);
  x << 0;
  Matrix r(1, 2);
  r << 1, 3;
  const auto report = check_gradients(net, params, view(x), projection_objective(view(r)));
  ASSERT_EQ(report.tensors.back().name, "input");
  EXPECT_EQ(report.tensors.back().skipped, 1);
  EXPECT_EQ(report.skipped(), 1) << "the parameters cross on one side at most";
  EXPECT_LE(report.max_error(), kTolerance);
}

}  // namespace
}  // namespace glassnet

namespace glassnet {
namespace {

// Whole networks with the training toolkit's layers: normalisation, dropout (its draws
// replayed), residual blocks, in training and evaluation mode.
TEST(GradientCheck, NetworksWithNormalisationDropoutAndResidualBlocks) {
  double worst = 0;
  for (Normalization norm : {Normalization::none, Normalization::batch, Normalization::layer}) {
    for (bool residual : {false, true}) {
      for (double dropout : {0.0, 0.25}) {
        for (Mode mode : {Mode::train, Mode::eval}) {
          const std::string label = fmt::format("norm {} residual {} dropout {} {}", normalization_name(norm), residual,
                                                dropout, mode == Mode::train ? "train" : "eval");
          SCOPED_TRACE(label);
          Rng rng(77);
          NetworkSpec spec{.in_features = 4,
                           .hidden = {6, 6, 6},
                           .activation = Activation::tanh,
                           .out_features = 3,
                           .output = OutputTransform::softmax,
                           .norm = norm,
                           .dropout = dropout,
                           .residual = residual};
          auto network = make_network(spec, rng);
          testing::randomize(network->params(), rng);
          network->layers().set_input_gradient_needed(true);
          const Matrix x = random_matrix(7, 4, rng);
          Matrix targets(7, 1);
          for (Index i = 0; i < 7; ++i) targets(i, 0) = static_cast<Scalar>(rng.below(3));
          const auto loss = make_loss(LossKind::softmax_cross_entropy);
          GradientCheckOptions options;
          options.mode = mode;
          const auto report = check_gradients(network->layers(), network->params(), view(x),
                                              loss_objective(*loss, view(targets)), options);
          EXPECT_LE(report.max_error(), kTolerance) << describe(report);
          worst = std::max(worst, report.max_error());
        }
      }
    }
  }
  std::cout << fmt::format("toolkit networks: worst error {:.3e}\n", worst);
}

}  // namespace
}  // namespace glassnet
