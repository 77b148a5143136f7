// Behaviour of BatchNorm, LayerNorm, Dropout and Residual beyond their gradients
// (which gradient_check_test.cpp proves).

#include <gtest/gtest.h>

#include <cmath>

#include "glassnet/core/error.hpp"
#include "glassnet/nn/network.hpp"
#include "test_support.hpp"

namespace glassnet {
namespace {

using testing::random_matrix;

TEST(BatchNorm, TrainingNormalisesEachFeatureAndUpdatesRunningStatistics) {
  Rng rng(1);
  ParamStore params;
  BatchNorm bn(0.1, 1e-5);
  bn.build(3, params, "bn.");
  Matrix x = random_matrix(64, 3, rng, 4.0);
  x.col(1).array() += 10;  // a feature far from zero
  const Matrix y = bn.forward(x, Mode::train);
  for (Index j = 0; j < 3; ++j) {
    const double mean = y.col(j).cast<double>().mean();
    const double var = (y.col(j).cast<double>().array() - mean).square().mean();
    EXPECT_NEAR(mean, 0.0, 1e-5);
    EXPECT_NEAR(var, 1.0, 1e-3);
  }
  const double batch_mean = x.col(1).cast<double>().mean();
  const double batch_var = (x.col(1).cast<double>().array() - batch_mean).square().sum() / 63.0;  // unbiased
  const ConstMatrixView running_mean = params.value(params.find("bn.running_mean"));
  const ConstMatrixView running_var = params.value(params.find("bn.running_var"));
  EXPECT_NEAR(running_mean(0, 1), 0.1 * batch_mean, 1e-4);
  EXPECT_NEAR(running_var(0, 1), 0.9 + 0.1 * batch_var, 1e-3);
  EXPECT_FALSE(params.trainable(params.find("bn.running_mean")));
  EXPECT_EQ(params.info(params.find("bn.weight")).role, ParamRole::norm_scale);
}

TEST(BatchNorm, EvaluationUsesTheRunningStatistics) {
  ParamStore params;
  BatchNorm bn;
  bn.build(2, params, "bn.");
  params.value(params.find("bn.running_mean")) << 1, -2;
  params.value(params.find("bn.running_var")) << 4, Scalar(0.25);
  params.value(params.find("bn.weight")) << 2, 1;
  params.value(params.find("bn.bias")) << Scalar(0.5), 0;
  Matrix x(1, 2);
  x << 3, -1;
  const Matrix y = bn.forward(x, Mode::eval);  // a batch of one is fine in evaluation
  EXPECT_NEAR(y(0, 0), 2 * (3 - 1) / std::sqrt(4 + 1e-5) + 0.5, 1e-5);
  EXPECT_NEAR(y(0, 1), (-1 + 2) / std::sqrt(0.25 + 1e-5), 1e-5);
  EXPECT_EQ(params.value(params.find("bn.running_mean"))(0, 0), 1) << "evaluation changes no statistics";
}

TEST(BatchNorm, TrainingOnASingleRowIsAClearError) {
  ParamStore params;
  BatchNorm bn;
  bn.build(2, params, "bn.");
  try {
    bn.forward(Matrix(Matrix::Ones(1, 2)), Mode::train);
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("at least 2 rows"), std::string::npos) << e.what();
  }
}

TEST(LayerNorm, NormalisesEachRow) {
  Rng rng(2);
  ParamStore params;
  LayerNorm ln;
  ln.build(16, params, "ln.");
  Matrix x = random_matrix(4, 16, rng, 3.0);
  x.row(2).array() += 100;
  const Matrix y = ln.forward(x, Mode::train);
  for (Index i = 0; i < 4; ++i) {
    const double mean = y.row(i).cast<double>().mean();
    EXPECT_NEAR(mean, 0.0, 1e-5);
    EXPECT_NEAR((y.row(i).cast<double>().array() - mean).square().mean(), 1.0, 1e-3);
  }
  EXPECT_EQ(Matrix(ln.forward(x, Mode::eval)), y);
}

TEST(Dropout, DropsAboutPAndScalesTheRestInTrainingOnly) {
  Dropout dropout(0.25);
  ParamStore params;
  dropout.build(100, params, "");
  Rng seed(3);
  dropout.initialize(seed);
  const Matrix x = Matrix::Ones(200, 100);
  const Matrix y = dropout.forward(x, Mode::train);
  const auto zeros = (y.array() == 0).count();
  EXPECT_NEAR(static_cast<double>(zeros) / 20000.0, 0.25, 0.01);
  EXPECT_NEAR(y.maxCoeff(), 1.0 / 0.75, 1e-6);
  EXPECT_NEAR(y.cast<double>().mean(), 1.0, 0.02) << "inverted dropout keeps the expected value";
  const Matrix dx = dropout.backward(x);
  EXPECT_EQ(dx, y) << "the gradient passes through the same mask";
  EXPECT_EQ(Matrix(dropout.forward(x, Mode::eval)), x);
}

TEST(Dropout, TheSameSeedDrawsTheSameMask) {
  const Matrix x = Matrix::Ones(10, 10);
  Matrix masks[3];
  for (int k = 0; k < 3; ++k) {
    Dropout dropout(0.5);
    ParamStore params;
    dropout.build(10, params, "");
    Rng seed(k < 2 ? 7 : 8);
    dropout.initialize(seed);
    masks[k] = dropout.forward(x, Mode::train);
  }
  EXPECT_EQ(masks[0], masks[1]);
  EXPECT_NE(masks[0], masks[2]);
  EXPECT_THROW(Dropout(1.0), Error);
}

TEST(Residual, AddsTheInputToTheBlocksOutput) {
  auto body = std::make_unique<Sequential>();
  body->add(std::make_unique<Linear>(3));
  Residual block(std::move(body));
  ParamStore params;
  block.build(3, params, "layers.0.");
  EXPECT_NE(params.find("layers.0.body.0.weight"), -1);
  params.value(params.find("layers.0.body.0.weight")).setIdentity();
  params.value(params.find("layers.0.body.0.bias")).setConstant(1);
  Matrix x(1, 3);
  x << 1, 2, 3;
  Matrix expected(1, 3);
  expected << 3, 5, 7;  // x + (x I + 1)
  EXPECT_EQ(Matrix(block.forward(x, Mode::train)), expected);
  auto wrong = std::make_unique<Sequential>();
  wrong->add(std::make_unique<Linear>(4));
  Residual mismatched(std::move(wrong));
  EXPECT_THROW(mismatched.build(3, params, "layers.1."), Error);
}

TEST(NetworkSpec, BuildsNormalisationDropoutAndResidualBlocks) {
  Rng rng(1);
  auto network = make_network({.in_features = 5,
                               .hidden = {8, 8, 8},
                               .activation = Activation::relu,
                               .out_features = 1,
                               .norm = Normalization::batch,
                               .dropout = 0.1,
                               .residual = true},
                              rng);
  // layers.0-3: linear, batch_norm, relu, dropout (width changes 5 → 8: no residual);
  // layers.4, layers.5: residual blocks; layers.6: the output.
  const Sequential& layers = network->layers();
  ASSERT_EQ(layers.size(), 7);
  EXPECT_EQ(layers.layer(1).kind(), "batch_norm");
  EXPECT_EQ(layers.layer(3).kind(), "dropout");
  EXPECT_EQ(layers.layer(4).kind(), "residual");
  EXPECT_NE(network->params().find("layers.4.body.0.weight"), -1);
  EXPECT_NE(network->params().find("layers.5.body.1.running_var"), -1);
  // He before ReLU, found past the batch norm.
  EXPECT_EQ(dynamic_cast<const Linear&>(layers.layer(0)).init(), InitScheme::he_normal);
  const auto& block = dynamic_cast<const Residual&>(layers.layer(4));
  EXPECT_EQ(dynamic_cast<const Linear&>(block.body().layer(0)).init(), InitScheme::he_normal);
  EXPECT_THROW(make_network({.in_features = 2, .dropout = 1.0}, rng), Error);
  EXPECT_EQ(parse_normalization("layer"), Normalization::layer);
  EXPECT_FALSE(parse_normalization("group"));
}

}  // namespace
}  // namespace glassnet
