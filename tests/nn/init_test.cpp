#include "glassnet/nn/init.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "glassnet/core/error.hpp"
#include "glassnet/nn/linear.hpp"
#include "glassnet/nn/network.hpp"

namespace glassnet {
namespace {

struct Moments {
  double mean, stddev, max_abs;
};

Moments moments(const Matrix& w) {
  const double mean = w.cast<double>().mean();
  const double var = (w.cast<double>().array() - mean).square().mean();
  return {mean, std::sqrt(var), w.cast<double>().cwiseAbs().maxCoeff()};
}

Moments draw(InitScheme scheme, Index fan_out, Index fan_in, double slope = 0.0) {
  Rng rng(5);
  Matrix w(fan_out, fan_in);
  initialize_weight(view(w), scheme, rng, slope);
  return moments(w);
}

TEST(Init, EachSchemeHasItsDocumentedSpread) {
  const Index out = 300, in = 200;  // 60 000 draws: the sample stddev is within ~1 %
  EXPECT_NEAR(draw(InitScheme::he_normal, out, in).stddev, std::sqrt(2.0 / in), 0.02 * std::sqrt(2.0 / in));
  EXPECT_NEAR(draw(InitScheme::he_normal, out, in, 0.2).stddev, std::sqrt(2.0 / (1.04 * in)),
              0.02 * std::sqrt(2.0 / in));
  EXPECT_NEAR(draw(InitScheme::he_uniform, out, in).stddev, std::sqrt(2.0 / in), 0.02 * std::sqrt(2.0 / in));
  EXPECT_LE(draw(InitScheme::he_uniform, out, in).max_abs, std::sqrt(6.0 / in));
  EXPECT_NEAR(draw(InitScheme::xavier_normal, out, in).stddev, std::sqrt(2.0 / (in + out)),
              0.02 * std::sqrt(2.0 / (in + out)));
  EXPECT_NEAR(draw(InitScheme::xavier_uniform, out, in).stddev, std::sqrt(2.0 / (in + out)),
              0.02 * std::sqrt(2.0 / (in + out)));
  EXPECT_LE(draw(InitScheme::xavier_uniform, out, in).max_abs, std::sqrt(6.0 / (in + out)));
  EXPECT_NEAR(draw(InitScheme::lecun_normal, out, in).stddev, std::sqrt(1.0 / in), 0.02 * std::sqrt(1.0 / in));
  EXPECT_EQ(draw(InitScheme::zeros, out, in).max_abs, 0.0);
  for (auto scheme : {InitScheme::he_normal, InitScheme::xavier_uniform, InitScheme::lecun_normal}) {
    EXPECT_NEAR(draw(scheme, out, in).mean, 0.0, 0.005);
  }
}

TEST(Init, AutomaticIsRejectedUnresolved) {
  Rng rng(1);
  Matrix w(2, 2);
  EXPECT_THROW(initialize_weight(view(w), InitScheme::automatic, rng), Error);
}

TEST(Init, NamesRoundTrip) {
  for (auto s : {InitScheme::automatic, InitScheme::he_normal, InitScheme::he_uniform, InitScheme::xavier_normal,
                 InitScheme::xavier_uniform, InitScheme::lecun_normal, InitScheme::zeros}) {
    EXPECT_EQ(parse_init(init_name(s)), s);
  }
  EXPECT_FALSE(parse_init("orthogonal"));
}

TEST(Init, TheDefaultPicksHeBeforeReluFamilyAndXavierBeforeSigmoidTanhAndOutput) {
  for (Activation activation : {Activation::relu, Activation::leaky_relu, Activation::gelu, Activation::sigmoid,
                                Activation::tanh, Activation::identity}) {
    SCOPED_TRACE(std::string(activation_name(activation)));
    Rng rng(1);
    NetworkSpec spec{.in_features = 4, .hidden = {8, 8}, .activation = activation, .out_features = 1};
    auto network = make_network(spec, rng);
    const auto& hidden = dynamic_cast<const Linear&>(network->layers().layer(0));
    const auto& output = dynamic_cast<const Linear&>(network->layers().layer(4));
    EXPECT_EQ(hidden.init(), is_relu_family(activation) ? InitScheme::he_normal : InitScheme::xavier_normal);
    EXPECT_EQ(output.init(), InitScheme::xavier_normal);
  }
}

TEST(Init, AnExplicitSchemeIsKeptForEveryLayer) {
  Rng rng(1);
  NetworkSpec spec{.in_features = 4,
                   .hidden = {8},
                   .activation = Activation::relu,
                   .out_features = 1,
                   .init = InitScheme::lecun_normal};
  auto network = make_network(spec, rng);
  EXPECT_EQ(dynamic_cast<const Linear&>(network->layers().layer(0)).init(), InitScheme::lecun_normal);
  EXPECT_EQ(dynamic_cast<const Linear&>(network->layers().layer(2)).init(), InitScheme::lecun_normal);
}

}  // namespace
}  // namespace glassnet
