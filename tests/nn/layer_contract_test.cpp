// The Layer contract (layer.hpp), checked for every layer: backward assigns dx and
// accumulates parameter gradients; buffers are owned and reused; shapes are as stated.

#include <gtest/gtest.h>

#include "glassnet/nn/sequential.hpp"
#include "test_support.hpp"

namespace glassnet {
namespace {

using testing::every_layer;
using testing::random_matrix;

TEST(LayerContract, BackwardTwiceDoublesParameterGradientsAndRepeatsInputGradient) {
  for (const auto& factory : every_layer()) {
    SCOPED_TRACE(factory.name);
    Rng rng(1);
    ParamStore params;
    LayerPtr layer = factory.make();
    const Index out = layer->build(4, params, "l.");
    layer->initialize(rng);
    const Matrix x = random_matrix(5, 4, rng);
    const ConstMatrixView y = layer->forward(view(x), Mode::train);
    ASSERT_EQ(y.rows(), 5);
    ASSERT_EQ(y.cols(), out);
    const Matrix dy = random_matrix(5, out, rng);

    params.zero_grads();
    const Matrix dx1 = layer->backward(view(dy));
    const std::vector<Scalar> once(params.grads().begin(), params.grads().end());
    const Matrix dx2 = layer->backward(view(dy));
    ASSERT_EQ(dx1.rows(), 5);
    ASSERT_EQ(dx1.cols(), 4);
    EXPECT_EQ(dx1, dx2) << "backward must assign dx, not accumulate it";
    for (std::size_t i = 0; i < once.size(); ++i) {
      EXPECT_NEAR(params.grads()[i], 2 * once[i], 1e-6 * (1 + std::abs(once[i])))
          << "parameter gradients must accumulate";
    }
    if (params.size() > 0) {
      EXPECT_GT(Eigen::Map<const Matrix>(once.data(), 1, Index(once.size())).cwiseAbs().maxCoeff(), 0);
    }
  }
}

TEST(LayerContract, NoInputGradientWhenNotNeeded) {
  for (const auto& factory : every_layer()) {
    SCOPED_TRACE(factory.name);
    Rng rng(2);
    ParamStore params;
    LayerPtr layer = factory.make();
    const Index out = layer->build(4, params, "l.");
    layer->initialize(rng);
    layer->set_input_gradient_needed(false);
    const Matrix x = random_matrix(3, 4, rng);
    layer->forward(view(x), Mode::train);
    const Matrix dy = random_matrix(3, out, rng);
    EXPECT_EQ(layer->backward(view(dy)).size(), 0);
  }
}

TEST(LayerContract, OutputIsTheLastForwardAndBuffersAreReused) {
  for (const auto& factory : every_layer()) {
    SCOPED_TRACE(factory.name);
    Rng rng(3);
    ParamStore params;
    LayerPtr layer = factory.make();
    layer->build(4, params, "l.");
    layer->initialize(rng);
    const Matrix big = random_matrix(6, 4, rng);
    const Matrix small = random_matrix(2, 4, rng);
    const Scalar* first = layer->forward(view(big), Mode::train).data();
    const ConstMatrixView y = layer->forward(view(small), Mode::train);
    EXPECT_EQ(layer->output().data(), y.data());
    EXPECT_EQ(layer->output().rows(), 2);
    if (layer->kind() != "identity") {
      EXPECT_EQ(y.data(), first) << "a smaller batch must reuse the buffer";
    }
  }
}

TEST(LayerContract, EvaluationAndTrainingModesAgreeForStatelessLayers) {
  for (const auto& factory : every_layer()) {
    SCOPED_TRACE(factory.name);
    if (factory.name == "batch_norm" || factory.name == "dropout") continue;  // they differ by design
    Rng rng(4);
    ParamStore params;
    LayerPtr layer = factory.make();
    layer->build(4, params, "l.");
    layer->initialize(rng);
    const Matrix x = random_matrix(3, 4, rng);
    const Matrix train = layer->forward(view(x), Mode::train);
    const Matrix eval = layer->forward(view(x), Mode::eval);
    EXPECT_EQ(train, eval);
  }
}

}  // namespace
}  // namespace glassnet
