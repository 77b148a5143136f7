// The doctor during training: severe findings are reported once, while the run goes
// on, and a run that is only starting slowly is left alone.

#include "glassnet/diag/watch.hpp"

#include <gtest/gtest.h>

#include "glassnet/data/synthetic.hpp"
#include "glassnet/loss/bce_with_logits.hpp"
#include "glassnet/optim/adam.hpp"
#include "glassnet/optim/sgd.hpp"
#include "glassnet/train/trainer.hpp"

namespace glassnet {
namespace {

struct Report {
  std::string symptom;
  Index epoch, step;
};

std::vector<Report> watch(const NetworkSpec& spec, Optimizer& optimizer, Index epochs) {
  const Dataset data = make_xor(1000, spec.in_features, 7);
  Rng rng(3);
  auto network = make_network(spec, rng);
  const BceWithLogits loss;
  Trainer trainer(*network, loss, optimizer);
  Monitor monitor;
  std::vector<Report> reports;
  DoctorWatch watch(monitor, {.task = Task::binary, .chance = ClassScores{0.5, 0.5}},
                    [&](const Finding& f, Index epoch, Index step) {
                      reports.push_back({f.symptom, epoch, step});
                    });
  trainer.add_callback(monitor);
  trainer.add_callback(watch);
  trainer.fit({data.x, data.y}, {.epochs = epochs, .batch_size = 64, .seed = 1});
  return reports;
}

TEST(DoctorWatch, VanishingGradientsAreReportedOnceDuringTraining) {
  Sgd sgd(0.05, {.momentum = 0.9});
  const auto reports = watch(
      {.in_features = 4, .hidden = std::vector<Index>(15, 32), .activation = Activation::sigmoid, .out_features = 1},
      sgd, 12);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].symptom, "vanishing_gradients");
  EXPECT_GE(reports[0].step, DoctorWatch::kMinSteps) << "not before there is enough to judge";
  EXPECT_LT(reports[0].epoch, 12) << "during training, not at its end";
}

TEST(DoctorWatch, AHealthyRunIsLeftAlone) {
  Adam adam(1e-3);
  const auto reports = watch({.in_features = 4, .hidden = {32, 32}, .out_features = 1}, adam, 12);
  EXPECT_TRUE(reports.empty()) << reports.front().symptom;
}

}  // namespace
}  // namespace glassnet
