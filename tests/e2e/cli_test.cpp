// The glassnet executable, driven as a user would run it.

#include <gtest/gtest.h>

#include "glassnet/core/scalar.hpp"
#include "run_command.hpp"

namespace glassnet {
namespace {

using testing::cli;
using testing::run_command;

TEST(Cli, HelpListsTheSubcommands) {
  const auto result = run_command(cli() + " --help");
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.output.find("demo"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("gradcheck"), std::string::npos) << result.output;
}

TEST(Cli, BadUsageExitsWithTwo) {
  EXPECT_EQ(run_command(cli()).exit_code, 2);
  EXPECT_EQ(run_command(cli() + " no-such-command").exit_code, 2);
  const auto bad_activation = run_command(cli() + " gradcheck --activation swish");
  EXPECT_EQ(bad_activation.exit_code, 2);
  EXPECT_NE(bad_activation.output.find("swish"), std::string::npos) << bad_activation.output;
  EXPECT_EQ(bad_activation.output.rfind("error: ", 0), 0u) << "usage errors read as other errors: "
                                                           << bad_activation.output;
  EXPECT_EQ(run_command(cli() + " gradcheck --layers 64,0").exit_code, 2);
  EXPECT_EQ(run_command(cli() + " gradcheck --layers 64,x").exit_code, 2);
  const auto bad_loss = run_command(cli() + " gradcheck --loss cross-entropy --outputs 1");
  EXPECT_EQ(bad_loss.exit_code, 2);
  EXPECT_NE(bad_loss.output.find("--outputs 2"), std::string::npos) << bad_loss.output;
}

TEST(Cli, GradcheckPassesAndPrintsEveryParameter) {
  const auto result = run_command(cli() + " gradcheck --layers 64,64 --activation tanh");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  for (const char* name : {"layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.4.bias"}) {
    EXPECT_NE(result.output.find(name), std::string::npos) << name << "\n" << result.output;
  }
  EXPECT_NE(result.output.find("passed"), std::string::npos) << result.output;
}

TEST(Cli, GradcheckCoversEveryActivationAndLoss) {
  for (const char* activation : {"relu", "leaky-relu", "gelu", "gelu-tanh", "sigmoid", "identity"}) {
    const auto result = run_command(cli() + " gradcheck --layers 8,8 --activation " + activation);
    EXPECT_EQ(result.exit_code, 0) << activation << "\n" << result.output;
  }
  EXPECT_EQ(run_command(cli() + " gradcheck --loss cross-entropy --outputs 4").exit_code, 0);
  EXPECT_EQ(run_command(cli() + " gradcheck --loss mse --outputs 3").exit_code, 0);
}

TEST(Cli, GradcheckFailsAboveTheTolerance) {
  // No finite-difference estimate is exact: a tolerance of 1e-300 cannot be met.
  const auto result = run_command(cli() + " gradcheck --layers 4 --tolerance 1e-300");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("FAILED"), std::string::npos) << result.output;
}

TEST(Cli, DemoXorRunsXor) {
  const auto result = run_command(cli() + " demo xor");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("XOR"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("prediction"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace glassnet
