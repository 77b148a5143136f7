// glassnet bench through the real executable: the JSON it prints for training,
// inference and the GEMM-only ceiling, and its bad-usage errors. (Its speed is measured
// by bench/compare.sh, never asserted by a test.)

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "idx_files.hpp"
#include "run_command.hpp"
#include "test_support.hpp"

namespace glassnet {
namespace {

using testing::cli;
using testing::run_command;

TEST(BenchCli, PrintsTheThroughputOfAWorkloadAsJson) {
  const auto r = run_command(cli() + " bench --workload W1 --optimizer adam --warmup 0 --epochs 2 --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["workload"], "W1");
  EXPECT_EQ(j["optimizer"], "adam");
  const auto& s = j["samples_per_s"];
  EXPECT_GT(s["median"].get<double>(), 0.0);
  EXPECT_LE(s["min"].get<double>(), s["median"].get<double>());
  EXPECT_LE(s["median"].get<double>(), s["max"].get<double>());
  // 6 FLOPs per parameter (6,209 of them) per sample.
  EXPECT_NEAR(j["gflops"].get<double>(), 6 * 6209 * s["median"].get<double>() / 1e9, 1e-6 * j["gflops"].get<double>());
  EXPECT_GT(j["peak_rss_mb"].get<double>(), 0.0);
  EXPECT_GE(j["threads"].get<int>(), 1);
}

TEST(BenchCli, InferenceAndTheGemmCeiling) {
  const auto inference = run_command(cli() + " bench --workload W2 --variant relu-bn --inference --warmup 0 --epochs 1 --json");
  ASSERT_EQ(inference.exit_code, 0) << inference.output;
  EXPECT_TRUE(nlohmann::json::parse(inference.output)["inference"].get<bool>());
  EXPECT_EQ(nlohmann::json::parse(inference.output)["monitor"], "off") << "no monitor runs in inference";
  const auto ceiling = run_command(cli() + " bench --workload W2 --gemm-only --json");
  ASSERT_EQ(ceiling.exit_code, 0) << ceiling.output;
  const auto j = nlohmann::json::parse(ceiling.output);
  EXPECT_GT(j["gemm_only_samples_per_s"].get<double>(), 0.0);
  EXPECT_NEAR(j["gemm_only_samples_per_s"].get<double>() * j["step_seconds"].get<double>(), 256.0, 1e-6)
      << "a step is one batch of 256 rows";
}

TEST(BenchCli, W2RunsSigmoidUnlessToldOtherwise) {
  const auto r = run_command(cli() + " bench --workload W2 --warmup 0 --epochs 1 --inference --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["variant"], "sigmoid");
  EXPECT_TRUE(j["optimizer"].is_null()) << "inference has no optimizer";
}

TEST(BenchCli, BadChoicesAreUsageErrors) {
  const auto variant = run_command(cli() + " bench --workload W1 --variant sigmoid");
  EXPECT_EQ(variant.exit_code, 2);
  EXPECT_NE(variant.output.find("--variant: W1 takes relu"), std::string::npos) << variant.output;
  const auto workload = run_command(cli() + " bench --workload W9");
  EXPECT_EQ(workload.exit_code, 2);
  EXPECT_NE(workload.output.find("not one of W1, W2, W3, W4"), std::string::npos) << workload.output;
  // The ceiling has no network, optimizer, monitor or epochs: those options were taken
  // (--variant bogus too) and ignored.
  for (const std::string option :
       {"--variant bogus", "--optimizer adam", "--inference", "--epochs 3", "--threads 1", "--fashion-mnist /tmp"}) {
    const auto gemm = run_command(cli() + " bench --workload W1 --gemm-only " + option);
    EXPECT_EQ(gemm.exit_code, 2) << option << ": " << gemm.output;
    EXPECT_NE(gemm.output.find("excludes --gemm-only"), std::string::npos) << option << ": " << gemm.output;
  }
}

// W3 is Fashion-MNIST's 60,000 training images: other files are refused (100 images
// crashed --inference, reading past them, and training reported 600 times their rate).
TEST(BenchCli, W3RefusesImagesThatAreNotFashionMnistsTrainingSet) {
  const testing::ScratchDir dir;
  for (const auto& [width, message] : std::vector<std::pair<std::uint32_t, std::string>>{
           {28, "the file holds 100 of 784"}, {4, "the file holds 100 of 16"}}) {
    testing::write_bytes((dir.path / "train-images-idx3-ubyte.gz").string(),
                         testing::idx_bytes({100, width, width}, std::vector<std::uint8_t>(100 * width * width, 7)),
                         true);
    testing::write_bytes((dir.path / "train-labels-idx1-ubyte.gz").string(),
                         testing::idx_bytes({100}, std::vector<std::uint8_t>(100, 3)), true);
    for (const std::string mode : {" --inference", ""}) {
      const auto r =
          run_command(cli() + " bench --workload W3 --warmup 0 --epochs 1 --fashion-mnist " + dir.path.string() + mode);
      EXPECT_EQ(r.exit_code, 2) << mode << r.output;
      EXPECT_NE(r.output.find("W3 is Fashion-MNIST's 60000 training images of 784 pixels; " + message),
                std::string::npos)
          << mode << r.output;
    }
  }
}

}  // namespace
}  // namespace glassnet
