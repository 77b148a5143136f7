// The classic demonstrations print the true values: the example programs are run and
// their output is checked against numbers worked out by hand.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "../e2e/run_command.hpp"
#include "glassnet/demo/xor_demo.hpp"

namespace glassnet {
namespace {

using testing::example;
using testing::run_command;

TEST(SingleNeuronExample, PrintsTheWeightedSumSigmoidAndRelu) {
  const auto result = run_command(example("single_neuron"));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  // 0.85·0.40 + 0.60·0.35 − 0.20 = 0.35;  σ(0.35) = 0.58662;  relu(0.35) = 0.35
  EXPECT_NE(result.output.find("= 0.3500\n"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("sigmoid(z)    = 0.5866  (58.7 % confidence)"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("relu(z)       = 0.3500"), std::string::npos) << result.output;
}

TEST(GradientDescentExample, PrintsTheTrueTrajectory) {
  const auto result = run_command(example("gradient_descent"));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  // Step 0 at w = −3: loss 25.5, gradient −10, and w moves to −3 − 0.15·(−10) = −1.5.
  EXPECT_NE(result.output.find("   0     -1.5000     25.5000    -10.0000"), std::string::npos) << result.output;
  // Step 1 at w = −1.5: loss 12.75, gradient −7, w moves to −0.45.
  EXPECT_NE(result.output.find("   1     -0.4500     12.7500     -7.0000"), std::string::npos) << result.output;
  // w_20 = 2 − 5·0.7^20 = 1.99601; loss = (w − 2)^2 + 0.5 = 0.500016.
  EXPECT_NE(result.output.find("final weight 1.9960, final loss 0.500016"), std::string::npos) << result.output;
  int rows = 0;
  for (std::size_t at = 0; (at = result.output.find("\n  ", at)) != std::string::npos; ++at) ++rows;
  EXPECT_EQ(rows, 20) << "one table row per step";
}

TEST(XorDemonstration, ConvergesForAtLeastEightOfSeedsOneToTen) {
  int converged = 0;
  std::string report;
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    const XorResult result = run_xor({.seed = seed});
    ASSERT_EQ(result.loss.size(), 5000u);
    if (result.converged) {
      ++converged;
      EXPECT_TRUE(xor_solved(view(result.predictions)));
      EXPECT_LT(result.loss.back(), result.loss.front());
    }
    report +=
        "seed " + std::to_string(seed) +
        (result.converged ? ": converged at epoch " + std::to_string(result.converged_epoch) : ": not converged") +
        "\n";
  }
  EXPECT_GE(converged, 8) << report;
  std::cout << report;
}

TEST(XorDemonstration, TheSameSeedGivesBitIdenticalResults) {
  const XorResult a = run_xor({.seed = 3, .epochs = 300});
  const XorResult b = run_xor({.seed = 3, .epochs = 300});
  EXPECT_EQ(a.loss, b.loss);
  EXPECT_EQ(a.predictions, b.predictions);
}

TEST(XorExample, PrintsTheLossTablePredictionsAndVerdict) {
  const auto result = run_command(example("xor") + " 1");
  const XorResult expected = run_xor({.seed = 1});
  EXPECT_EQ(result.exit_code, expected.converged ? 0 : 1) << result.output;
  const std::string first_row = fmt::format("\n     1  {:>8.4f}\n", expected.loss.front());
  EXPECT_NE(result.output.find(first_row), std::string::npos) << first_row << result.output;
  EXPECT_NE(result.output.find("\n   200  "), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("\n  5000  "), std::string::npos) << result.output;
  EXPECT_NE(result.output.find(expected.converged ? "converged: every prediction" : "not converged"), std::string::npos)
      << result.output;
}

// One epoch of the Fashion-MNIST example on Debian's files: it trains, prints the
// epoch and a test accuracy well above chance (one epoch reaches about 85 %).
TEST(FashionMnistExample, TrainsAndReportsTheTestAccuracy) {
  const auto result = run_command(example("fashion_mnist") + " /usr/share/datasets/fashion-mnist 1");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("epoch 1  loss "), std::string::npos) << result.output;
  const std::size_t at = result.output.find("test accuracy ");
  ASSERT_NE(at, std::string::npos) << result.output;
  EXPECT_GT(std::stod(result.output.substr(at + 14)), 0.8) << result.output;
}

TEST(FashionMnistExample, NamesTheMissingFiles) {
  const auto result = run_command(example("fashion_mnist") + " /nonexistent-directory 1");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find("fashion_mnist: "), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("/nonexistent-directory/train-images-idx3-ubyte.gz"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace glassnet
