// Structural repair by controlled trials, and the fixes it applies.

#include "glassnet/diag/repair.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "glassnet/data/synthetic.hpp"
#include "glassnet/diag/fixes.hpp"
#include "glassnet/io/config_file.hpp"
#include "glassnet/train/config_toml.hpp"

namespace glassnet {
namespace {

struct TempDir {
  std::filesystem::path path = std::filesystem::temp_directory_path() / fmt::format("glassnet-repair-test-{}", ::getpid());
  TempDir() { std::filesystem::create_directories(path); }
  ~TempDir() { std::filesystem::remove_all(path); }
};

TEST(Fixes, TheDoctorsFixesApplyToTheRun) {
  RunConfig c;
  c.activation = Activation::sigmoid;
  c.standardize = false;
  EXPECT_TRUE(apply_fix(c, "--activation relu --init he"));
  EXPECT_EQ(c.activation, Activation::relu);
  EXPECT_EQ(c.init, InitScheme::he_normal);
  EXPECT_TRUE(apply_fix(c, "--norm batch"));
  EXPECT_EQ(c.norm, Normalization::batch);
  EXPECT_TRUE(apply_fix(c, "--residual"));
  EXPECT_TRUE(c.residual);
  EXPECT_TRUE(apply_fix(c, "--lr 1e-4"));
  EXPECT_DOUBLE_EQ(c.learning_rate, 1e-4);
  EXPECT_TRUE(apply_fix(c, "--clip-norm 1.0"));
  EXPECT_TRUE(apply_fix(c, "drop --no-standardize"));
  EXPECT_TRUE(c.standardize);
  EXPECT_TRUE(apply_fix(c, "--task multiclass (softmax and cross-entropy)"));
  EXPECT_EQ(c.task, Task::multiclass);
  const RunConfig before = c;
  EXPECT_FALSE(apply_fix(c, "--norm batch")) << "changes nothing";
  EXPECT_FALSE(apply_fix(c, "smaller --layers")) << "advice, not an option";
  EXPECT_FALSE(apply_fix(c, "--activation swish"));
  EXPECT_FALSE(apply_fix(c, "--lr fast"));
  EXPECT_FALSE(apply_fix(c, "--optimizer lion")) << "only glassnet's optimizers";
  EXPECT_TRUE(apply_fix(c, "--optimizer adam --schedule cosine"));
  EXPECT_FALSE(apply_fix(c, "--dropout 0.5 --activation nope")) << "all or nothing";
  EXPECT_EQ(c.dropout, before.dropout);
}

TEST(ConfigToml, EveryKeyIsAnOptionAndFloatsKeepTheirValue) {
  RunConfig c;
  c.data = "data.csv";
  c.learning_rate = 3e-4;
  c.dropout = 0.1;
  c.layers = {32, 16};
  c.residual = true;
  const ConfigFile file = parse_config(config_toml(c), "best.toml");
  std::map<std::string, std::vector<std::string>> values;
  for (const ConfigEntry& e : file.entries) values[e.key] = e.values;
  EXPECT_EQ(values["lr"], std::vector<std::string>{"0.0003"});
  EXPECT_EQ(values["dropout"], std::vector<std::string>{"0.1"});
  EXPECT_EQ(values["layers"], (std::vector<std::string>{"32", "16"}));
  EXPECT_EQ(values["residual"], std::vector<std::string>{"true"});
  EXPECT_EQ(values["data"], std::vector<std::string>{"data.csv"});
  EXPECT_EQ(values["no-standardize"], std::vector<std::string>{"false"});
}

TEST(Repair, TheSigmoidIncidentIsRepairedByReluAndHe) {
  TempDir dir;
  // The incident, smaller (the sanitizer build runs it too): 12 sigmoid layers of 32.
  std::ofstream((dir.path / "xor.csv").string()) << dataset_csv(make_xor(1000, 10, 3));
  RunConfig c;
  c.data = dir.path / "xor.csv";
  c.layers = std::vector<Index>(12, 32);
  c.activation = Activation::sigmoid;
  c.optimizer = "momentum";
  c.learning_rate = 0.05;
  c.epochs = 8;
  c.out = dir.path / "untouched.safetensors";
  const RepairReport r = repair(c);
  EXPECT_FALSE(std::filesystem::exists(c.out)) << "trials never write the configured model";
  ASSERT_FALSE(r.findings.empty());
  EXPECT_TRUE(r.findings.front().involves("vanishing_gradients"));
  ASSERT_GE(r.trials.size(), 4u);
  EXPECT_EQ(r.trials[0].kind, Trial::Kind::baseline);
  EXPECT_EQ(r.trials[3].change, "--activation relu --init he") << "the doctor's first fix is tried first";
  EXPECT_TRUE(r.trials[3].kept);
  EXPECT_GT(r.trials[3].effect, 1.0) << "beats the spread";
  EXPECT_EQ(r.best.activation, Activation::relu);
  EXPECT_EQ(r.best.epochs, 8);
  EXPECT_GT(r.best_metric, 0.8);
  EXPECT_LT(r.baseline.front(), 0.6);
  EXPECT_LE(r.epochs_used, 12 * 8) << "the default budget";
}

TEST(Repair, AHealthyRunHasNothingToTry) {
  TempDir dir;
  std::ofstream((dir.path / "moons.csv").string()) << dataset_csv(make_moons(1000, 2, 0.1, 4));
  RunConfig c;
  c.data = dir.path / "moons.csv";
  c.epochs = 10;
  c.out = dir.path / "m.safetensors";
  const RepairReport r = repair(c);
  ASSERT_EQ(r.trials.size(), 3u) << "the baseline's seeds only";
  EXPECT_EQ(r.best.activation, c.activation);
  EXPECT_GT(r.best_metric, 0.85);
}

}  // namespace
}  // namespace glassnet
