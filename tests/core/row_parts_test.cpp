// Elementwise work split by rows over the threads (core/row_parts.hpp), and the layers
// that use it: the same bits at every thread count.

#include "glassnet/core/row_parts.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <vector>

#include "glassnet/core/rng.hpp"
#include "glassnet/nn/activations.hpp"
#include "test_support.hpp"

namespace glassnet {
namespace {

TEST(RowParts, EveryRowIsCoveredOnceAndSmallWorkStaysWhole) {
  for (int threads : {1, 2, 3}) {
    set_thread_count(threads);
    for (const auto& [rows, cols] : {std::pair<Index, Index>{256, 64}, {1000, 17}, {20, 1000}, {64, 64}, {3, 5}}) {
      std::vector<int> covered(static_cast<std::size_t>(rows), 0);
      std::atomic<int> parts{0};
      for_row_parts(rows, cols, [&](Index begin, Index end) {
        for (Index i = begin; i < end; ++i) ++covered[static_cast<std::size_t>(i)];
        parts.fetch_add(1);
      });
      for (int c : covered) EXPECT_EQ(c, 1) << rows << "x" << cols << " threads " << threads;
      const bool small = rows * cols < kParallelElements;
      EXPECT_EQ(parts.load(), small ? 1 : std::min<int>(threads, static_cast<int>(rows / kMinRowsPerElementwisePart)))
          << rows << "x" << cols << " threads " << threads;
    }
  }
  set_thread_count(0);
}

// Each activation's forward and backward passes, split over 1, 2 and 3 threads.
TEST(RowParts, ActivationsGiveTheSameBitsAtEveryThreadCount) {
  Rng rng(5);
  const Matrix x = testing::random_matrix(256, 64, rng, 3.0), dy = testing::random_matrix(256, 64, rng);
  for (Activation a : {Activation::sigmoid, Activation::tanh, Activation::relu, Activation::leaky_relu,
                       Activation::gelu, Activation::gelu_tanh}) {
    std::vector<Matrix> outputs, gradients;
    for (int threads : {1, 2, 3}) {
      set_thread_count(threads);
      ParamStore params;
      LayerPtr layer = make_activation(a, 0.01);
      layer->build(x.cols(), params, "");
      layer->set_input_gradient_needed(true);
      outputs.push_back(layer->forward(x, Mode::train));
      gradients.push_back(layer->backward(dy));
    }
    for (std::size_t k = 1; k < outputs.size(); ++k) {
      EXPECT_EQ(outputs[k], outputs[0]) << activation_name(a);
      EXPECT_EQ(gradients[k], gradients[0]) << activation_name(a);
    }
  }
  set_thread_count(0);
}

}  // namespace
}  // namespace glassnet
