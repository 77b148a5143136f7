#include "glassnet/nn/network.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "glassnet/core/error.hpp"
#include "glassnet/core/threads.hpp"

namespace glassnet {
namespace {

TEST(Network, ParametersAreNamedLikeAPyTorchStateDict) {
  Rng rng(1);
  auto network =
      make_network({.in_features = 2, .hidden = {4, 4}, .activation = Activation::relu, .out_features = 1}, rng);
  std::vector<std::string> names;
  for (const auto& p : network->params().params()) names.push_back(p.name);
  EXPECT_EQ(names, (std::vector<std::string>{"layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias",
                                             "layers.4.weight", "layers.4.bias"}));
  EXPECT_EQ(network->params().info(network->params().find("layers.2.weight")).shape, (std::vector<Index>{4, 4}));
  EXPECT_EQ(network->params().size(), 2 * 4 + 4 + 4 * 4 + 4 + 4 + 1);
  EXPECT_EQ(network->layers().size(), 5);
  EXPECT_EQ(network->layers().layer(1).kind(), "relu");
}

TEST(Network, TheSameSeedGivesTheSameWeights) {
  const NetworkSpec spec{.in_features = 5, .hidden = {7}, .activation = Activation::tanh, .out_features = 2};
  Rng a(9), b(9), c(10);
  auto n1 = make_network(spec, a), n2 = make_network(spec, b), n3 = make_network(spec, c);
  EXPECT_TRUE(std::equal(n1->params().values().begin(), n1->params().values().end(), n2->params().values().begin()));
  EXPECT_FALSE(std::equal(n1->params().values().begin(), n1->params().values().end(), n3->params().values().begin()));
}

TEST(Network, PredictAppliesTheOutputTransform) {
  Rng rng(2);
  auto network =
      make_network({.in_features = 3, .hidden = {5}, .out_features = 4, .output = OutputTransform::softmax}, rng);
  Matrix x = Matrix::Random(6, 3);
  const Matrix p = network->predict(x);
  for (Index r = 0; r < p.rows(); ++r) EXPECT_NEAR(p.row(r).sum(), 1.0, 1e-5);
  EXPECT_GT(p.minCoeff(), 0);
}

TEST(Network, RejectsBadSpecsAndInputs) {
  Rng rng(3);
  EXPECT_THROW(make_network({.in_features = 0, .hidden = {}}, rng), Error);
  EXPECT_THROW(make_network({.in_features = 2, .hidden = {4, 0}}, rng), Error);
  EXPECT_THROW(
      make_network(
          {.in_features = 2, .hidden = {}, .activation = Activation::relu, .leaky_slope = 0.01, .out_features = 0},
          rng),
      Error);
  auto network = make_network({.in_features = 2, .hidden = {3}}, rng);
  EXPECT_THROW(network->predict(Matrix(Matrix::Ones(1, 3))), Error);
  network->forward(Matrix(Matrix::Ones(2, 2)), Mode::train);
  EXPECT_THROW(network->layers().backward(Matrix(Matrix::Ones(3, 1))), Error);
}

TEST(ParamStore, ASharingStoreReadsTheOwnersValuesAndKeepsItsGradients) {
  Rng rng(1);
  const NetworkSpec spec{.in_features = 3, .hidden = {4}, .out_features = 2};
  auto owner = make_network(spec, rng);
  auto copy = make_network(spec, rng);
  copy->params().share_values(owner->params());
  EXPECT_EQ(copy->params().values().data(), owner->params().values().data());
  owner->params().value(0)(0, 0) = 7;
  EXPECT_EQ(copy->params().value(0)(0, 0), 7);
  copy->params().grad(0)(0, 0) = 5;
  EXPECT_EQ(owner->params().grad(0)(0, 0), 0) << "the gradients are each store's own";
  owner->params().freeze("layers.0.");
  EXPECT_FALSE(copy->params().trainable(0)) << "which parameters train is the owner's";
  EXPECT_THROW(copy->params().add("extra", {1}, 1, 1, ParamRole::bias), Error);

  auto other = make_network({.in_features = 3, .hidden = {5}, .out_features = 2}, rng);
  EXPECT_THROW(other->params().share_values(owner->params()), Error);
}

TEST(ParamStore, ALargeStoreIsZeroedInPartsOverTheThreads) {
  for (int threads : {1, 2, 3}) {
    const ThreadCountScope scope(threads);
    ParamStore store;
    store.add("a", {300, 301}, 300, 301, ParamRole::weight);  // over 2^16 values
    store.add("b", {7}, 1, 7, ParamRole::bias);
    std::fill(store.grads().begin(), store.grads().end(), Scalar(1));
    store.zero_grads();
    EXPECT_EQ(std::count(store.grads().begin(), store.grads().end(), Scalar(0)), store.size()) << threads;
  }
}

TEST(ParamStore, FreezingAndTheGlobalGradientNorm) {
  ParamStore params;
  const auto a = params.add("a.weight", {2}, 1, 2, ParamRole::weight);
  const auto b = params.add("b.weight", {1}, 1, 1, ParamRole::weight);
  params.grad(a) << 3, 4;
  params.grad(b) << 12;
  EXPECT_DOUBLE_EQ(params.grad_norm(), 13.0);
  EXPECT_EQ(params.freeze("b."), 1);
  EXPECT_FALSE(params.trainable(b));
  EXPECT_DOUBLE_EQ(params.grad_norm(), 5.0);
  EXPECT_EQ(params.trainable_size(), 2);
  EXPECT_THROW(params.freeze("nothing."), Error);
  EXPECT_THROW(params.add("a.weight", {1}, 1, 1, ParamRole::weight), Error);
  params.zero_grads();
  EXPECT_EQ(params.grad_norm(), 0.0);
  EXPECT_EQ(params.find("b.weight"), b);
  EXPECT_EQ(params.find("c"), -1);
}

}  // namespace
}  // namespace glassnet
