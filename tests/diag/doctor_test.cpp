// The doctor on runs that provoke each symptom on purpose, on hand-made series at the
// thresholds, and on a suite of healthy runs that must raise nothing above info.

#include "glassnet/diag/doctor.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "glassnet/data/synthetic.hpp"
#include "glassnet/loss/bce_with_logits.hpp"
#include "glassnet/optim/adam.hpp"
#include "glassnet/optim/sgd.hpp"
#include "glassnet/train/run.hpp"
#include "glassnet/train/trainer.hpp"
#include "test_support.hpp"

namespace glassnet {
namespace {

using testing::find_finding;

std::string describe(const std::vector<Finding>& findings) {
  std::string text;
  for (const Finding& f : findings) {
    text += fmt::format("[{}] {}: {}\n", severity_name(f.severity), f.symptom, f.summary);
    for (const auto& e : f.evidence) text += "    " + e + "\n";
  }
  return text.empty() ? "(no findings)" : text;
}

struct Diagnosed {
  std::vector<Finding> findings;
  MonitorSeries series;
};

// Trains a network with the monitor on XOR data and asks the doctor.
Diagnosed train_and_diagnose(const NetworkSpec& spec, double lr, Index epochs,
                             const std::function<void(Network&)>& tamper = {}) {
  const Dataset data = make_xor(1000, spec.in_features, 7);
  Rng rng(3);
  auto network = make_network(spec, rng);
  if (tamper) tamper(*network);
  const BceWithLogits loss;
  Sgd sgd(lr, {.momentum = 0.9});
  Trainer trainer(*network, loss, sgd);
  Monitor monitor;
  trainer.add_callback(monitor);
  trainer.fit({data.x, data.y}, {.epochs = epochs, .batch_size = 64, .seed = 1});
  const Matrix p = network->predict(data.x);
  std::vector<Index> counts(2, 0), right(2, 0);  // rows and rows predicted right, by class
  for (Index i = 0; i < p.rows(); ++i) {
    const bool one = data.y(i, 0) > 0.5;
    ++counts[one];
    right[one] += (p(i, 0) >= 0.5) == one;
  }
  const auto share = [](Index n, Index of) { return static_cast<double>(n) / static_cast<double>(of); };
  const RunFacts facts{
      .task = Task::binary,
      .chance = chance_scores(counts),
      .scores = ClassScores{.accuracy = share(right[0] + right[1], p.rows()),
                            .balanced_accuracy = (share(right[0], counts[0]) + share(right[1], counts[1])) / 2}};
  return {diagnose(monitor.series(), facts), monitor.series()};
}

TEST(Doctor, FifteenSigmoidLayersHaveVanishingGradientsFromTheFirstLayer) {
  const Diagnosed d = train_and_diagnose(
      {.in_features = 10, .hidden = std::vector<Index>(15, 64), .activation = Activation::sigmoid, .out_features = 1},
      0.05, 3);
  const Finding* f = find_finding(d.findings, "vanishing_gradients");
  ASSERT_NE(f, nullptr) << describe(d.findings);
  EXPECT_EQ(f->severity, Severity::error) << "chance accuracy makes it a problem";
  ASSERT_GE(f->layers.size(), 5u) << describe(d.findings);
  EXPECT_EQ(f->layers.front(), "layers.0");
  EXPECT_EQ(f->fixes.front(), "--activation relu --init he");
  EXPECT_GT(f->last_step, f->first_step);
  EXPECT_EQ(f->last_step, d.series.steps.back());
}

TEST(Doctor, LargeNegativeBiasesKillReluUnits) {
  const Diagnosed d = train_and_diagnose(
      {.in_features = 4, .hidden = {32, 32}, .activation = Activation::relu, .out_features = 1}, 0.01, 2,
      [](Network& n) { n.params().value(n.params().find("layers.0.bias")).setConstant(-50); });
  const Finding* f = find_finding(d.findings, "dead_relu");
  ASSERT_NE(f, nullptr) << describe(d.findings);
  EXPECT_GE(f->severity, Severity::warning);
  EXPECT_EQ(f->layers.front(), "layers.1");
}

// LeakyReLU units below zero on every row still pass a hundredth of the gradient: they
// are not called units that "output zero" and "cannot recover".
TEST(Doctor, LeakyReluUnitsBelowZeroAreNotCalledDead) {
  const Diagnosed relu = train_and_diagnose(
      {.in_features = 4, .hidden = {32, 32}, .activation = Activation::relu, .out_features = 1}, 0.01, 2,
      [](Network& n) { n.params().value(n.params().find("layers.0.bias")).setConstant(-50); });
  const Diagnosed leaky = train_and_diagnose(
      {.in_features = 4, .hidden = {32, 32}, .activation = Activation::leaky_relu, .out_features = 1}, 0.01, 2,
      [](Network& n) { n.params().value(n.params().find("layers.0.bias")).setConstant(-50); });
  const Finding* dead = find_finding(relu.findings, "dead_relu");
  const Finding* nearly = find_finding(leaky.findings, "dead_relu");
  ASSERT_NE(dead, nullptr) << describe(relu.findings);
  ASSERT_NE(nearly, nullptr) << describe(leaky.findings);
  EXPECT_TRUE(dead->summary.starts_with("ReLU units that output zero for every row pass no gradient")) << dead->summary;
  EXPECT_TRUE(nearly->summary.starts_with("ReLU-family units whose input is below zero for every row pass little"))
      << nearly->summary;
}

TEST(Doctor, OversizedWeightsSaturateSigmoidUnits) {
  const Diagnosed d = train_and_diagnose(
      {.in_features = 10, .hidden = {64}, .activation = Activation::sigmoid, .out_features = 1}, 0.01, 2,
      [](Network& n) { n.params().value(n.params().find("layers.0.weight")) *= Scalar(30); });
  const Finding* f = find_finding(d.findings, "saturation");
  ASSERT_NE(f, nullptr) << describe(d.findings);
  EXPECT_EQ(f->layers, std::vector<std::string>{"layers.1"});
}

// Hand-made series: the thresholds themselves.
MonitorSeries series_with_grad_norms(const std::vector<double>& norms, double loss_start, double loss_end) {
  MonitorSeries s;
  s.params = {"layers.0.weight"};
  s.roles = {ParamRole::weight};
  for (std::size_t i = 0; i < norms.size(); ++i) {
    s.steps.push_back(static_cast<Index>(i) + 1);
    s.epochs.push_back(1);
    s.grad_norm.push_back(norms[i]);
    s.param_grad_norm.push_back(static_cast<float>(norms[i]));
    s.param_weight_norm.push_back(1.0f);
    s.param_update_ratio.push_back(1e-3f);
    s.learning_rate.push_back(0.1);
    const double t = static_cast<double>(i) / static_cast<double>(norms.size() - 1);
    s.loss.push_back(loss_start + t * (loss_end - loss_start));
  }
  return s;
}

TEST(Doctor, GradientsGrowingByOrdersOfMagnitudeAreExploding) {
  std::vector<double> growing, steady;
  for (int i = 0; i < 100; ++i) {
    growing.push_back(std::pow(10.0, i / 20.0));  // 1 → 1e5 over 100 steps
    steady.push_back(1.0 + 0.5 * std::sin(i));
  }
  const auto findings = diagnose(series_with_grad_norms(growing, 0.7, 3.0));
  const Finding* f = find_finding(findings, "exploding_gradients");
  ASSERT_NE(f, nullptr) << describe(findings);
  EXPECT_EQ(f->severity, Severity::error) << "the loss rose";
  // 0.7 → 3.0, compared by the medians of the first and last tenths: a rise, said as one.
  EXPECT_NE(f->summary.find("the loss rose 256 %"), std::string::npos) << f->summary;
  const auto far_findings = diagnose(series_with_grad_norms(growing, 0.7, 7e15));
  const Finding* far = find_finding(far_findings, "exploding_gradients");
  ASSERT_NE(far, nullptr);
  EXPECT_NE(far->summary.find("-fold"), std::string::npos) << far->summary;
  EXPECT_EQ(far->summary.find("fell -"), std::string::npos) << far->summary;
  EXPECT_EQ(f->fixes.front(), "--clip-norm 1.0");
  EXPECT_EQ(f->fixes[1], "--lr 0.01");
  EXPECT_EQ(find_finding(diagnose(series_with_grad_norms(steady, 0.7, 0.2)), "exploding_gradients"), nullptr);
}

// The fall is printed in whole percents, but with a decimal where rounding would cross
// the 10 % that decides poor learning ("fell 10 %" beside a verdict of poor).
TEST(Doctor, AFallJustUnderTenPercentIsNotPrintedAsTen) {
  std::vector<double> growing;
  for (int i = 0; i < 100; ++i) growing.push_back(std::pow(10.0, i / 20.0));
  // The medians of the first and last tenths are the losses of steps 6 and 96: 9.93 % apart.
  const double d = -0.0993 / (95.0 / 99.0 - 0.9007 * 5.0 / 99.0);
  const auto under = diagnose(series_with_grad_norms(growing, 1.0, 1.0 + d));
  const Finding* f = find_finding(under, "exploding_gradients");
  ASSERT_NE(f, nullptr) << describe(under);
  EXPECT_NE(f->summary.find("the loss fell 9.9 %"), std::string::npos) << f->summary;
  // 9.97 %: truncated, not rounded up to "10.0 %".
  const double d2 = -0.0997 / (95.0 / 99.0 - 0.9003 * 5.0 / 99.0);
  const auto nearer = diagnose(series_with_grad_norms(growing, 1.0, 1.0 + d2));
  ASSERT_NE(find_finding(nearer, "exploding_gradients"), nullptr);
  EXPECT_NE(find_finding(nearer, "exploding_gradients")->summary.find("the loss fell 9.9 %"), std::string::npos)
      << find_finding(nearer, "exploding_gradients")->summary;
  const auto clear = diagnose(series_with_grad_norms(growing, 1.0, 0.5));
  ASSERT_NE(find_finding(clear, "exploding_gradients"), nullptr);
  EXPECT_NE(find_finding(clear, "exploding_gradients")->summary.find("the loss fell 46 %"), std::string::npos)
      << find_finding(clear, "exploding_gradients")->summary;
}

// A change under 1 % is printed with a decimal, and one under 0.05 % without a direction:
// never "rose 0 %".
TEST(Doctor, ASmallChangeOfTheLossIsNotPrintedAsZeroPercent) {
  std::vector<double> growing;
  for (int i = 0; i < 100; ++i) growing.push_back(std::pow(10.0, i / 20.0));
  // The first and last tenths' medians are the losses of steps 6 and 96, 90/99 of the way apart.
  const auto summary = [&](double rise) {
    const auto found = diagnose(series_with_grad_norms(growing, 1.0, 1.0 + rise * 99.0 / 90.0));
    const Finding* f = find_finding(found, "exploding_gradients");
    return f == nullptr ? std::string("no finding") : f->summary;
  };
  EXPECT_NE(summary(0.004).find("the loss rose 0.4 %"), std::string::npos) << summary(0.004);
  EXPECT_NE(summary(-0.003).find("the loss fell 0.3 %"), std::string::npos) << summary(-0.003);
  EXPECT_NE(summary(0.0002).find("the loss stayed where it started"), std::string::npos) << summary(0.0002);
  EXPECT_NE(summary(0.03).find("the loss rose 3 %"), std::string::npos) << summary(0.03);
  for (double rise : {0.004, -0.003, 0.0002, 0.03}) EXPECT_EQ(summary(rise).find(" 0 %"), std::string::npos);
}

// Gradients that explode while the first steps move each weight by a large fraction of
// itself: the learning rate is the cause, and a tenth of it (as configured, not as the
// steps used it) the first fix.
TEST(Doctor, ExplodingFromTheFirstStepsBlamesTheLearningRate) {
  std::vector<double> growing;
  for (int i = 0; i < 100; ++i) growing.push_back(std::pow(10.0, i / 20.0));
  MonitorSeries s = series_with_grad_norms(growing, 0.7, 3.0);
  std::fill(s.param_update_ratio.begin(), s.param_update_ratio.begin() + 10, 0.5F);  // the first 10 steps
  const auto findings = diagnose(s, {.learning_rate = 200});
  const Finding* f = find_finding(findings, "exploding_gradients");
  ASSERT_NE(f, nullptr) << describe(findings);
  EXPECT_EQ(f->fixes, (std::vector<std::string>{"--lr 20", "--clip-norm 1.0", "--norm batch"}));
  EXPECT_NE(f->causes.front().find("learning rate 200"), std::string::npos) << f->causes.front();
  EXPECT_NE(f->evidence.back().find("update ratio 5.00e-01"), std::string::npos) << f->evidence.back();
}

// Beside output layers whose gradients explode, a first layer a million times smaller
// is not vanishing: only a gradient frozen outright (below 1e-7) would be.
TEST(Doctor, NoVanishingGradientsBesideExplodingOnes) {
  MonitorSeries s;
  s.params = {"layers.0.weight", "layers.2.weight", "layers.4.weight"};
  s.roles = {ParamRole::weight, ParamRole::weight, ParamRole::weight};
  for (int i = 0; i < 100; ++i) {
    const double scale = std::pow(10.0, i / 10.0);  // 1 → 1e10
    s.steps.push_back(i + 1);
    s.epochs.push_back(1);
    s.grad_norm.push_back(scale);
    s.loss.push_back(0.7);
    s.learning_rate.push_back(0.1);
    for (const double part : {1e-6 * scale, scale, scale}) {
      s.param_grad_norm.push_back(static_cast<float>(part));
      s.param_weight_norm.push_back(1.0F);
      s.param_update_ratio.push_back(1e-3F);
    }
  }
  const auto findings = diagnose(s);
  ASSERT_NE(find_finding(findings, "exploding_gradients"), nullptr) << describe(findings);
  EXPECT_EQ(find_finding(findings, "vanishing_gradients"), nullptr) << describe(findings);
  // The same first layer beside steady output layers is vanishing.
  for (std::size_t i = 0; i < s.steps.size(); ++i) {
    s.grad_norm[i] = 1.0;
    s.param_grad_norm[3 * i] = 1e-6F;
    s.param_grad_norm[3 * i + 1] = s.param_grad_norm[3 * i + 2] = 1.0F;
  }
  const auto steady = diagnose(s);
  EXPECT_EQ(find_finding(steady, "exploding_gradients"), nullptr) << describe(steady);
  EXPECT_NE(find_finding(steady, "vanishing_gradients"), nullptr) << describe(steady);
}

TEST(Doctor, ANonFiniteGradientIsAnErrorNamingStepAndTensor) {
  MonitorSeries s = series_with_grad_norms(std::vector<double>(10, 1.0), 0.7, 0.5);
  s.first_non_finite = NonFinite{7, "layers.0.weight", "gradient"};
  const auto findings = diagnose(s);
  ASSERT_FALSE(findings.empty());
  EXPECT_EQ(findings.front().symptom, "non_finite");
  EXPECT_EQ(findings.front().severity, Severity::error);
  EXPECT_EQ(findings.front().first_step, 7);
  EXPECT_EQ(findings.front().layers, std::vector<std::string>{"layers.0"});
  EXPECT_NE(findings.front().evidence.back().find("last finite loss"), std::string::npos);
  EXPECT_EQ(findings.front().fixes.front(), "--lr 0.01") << "a tenth of the run's learning rate, 0.1";
}

// Every weight's gradient zero, the output layers' too: the whole network stands
// still, which is no vanishing with depth (the evidence read "-nan× below").
TEST(Doctor, ANetworkWhollyStillHasNoVanishingGradients) {
  MonitorSeries s;
  s.params = {"layers.0.weight", "layers.2.weight", "layers.4.weight"};
  s.roles = {ParamRole::weight, ParamRole::weight, ParamRole::weight};
  for (int i = 0; i < 40; ++i) {
    s.steps.push_back(i + 1);
    s.epochs.push_back(1);
    s.grad_norm.push_back(0.0);
    s.loss.push_back(0.7);
    s.learning_rate.push_back(0.1);
    for (int k = 0; k < 3; ++k) {
      s.param_grad_norm.push_back(0.0F);
      s.param_weight_norm.push_back(1.0F);
      s.param_update_ratio.push_back(0.0F);
    }
  }
  const auto still = diagnose(s);
  EXPECT_EQ(find_finding(still, "vanishing_gradients"), nullptr) << describe(still);
  // The same first layer frozen beside output layers that learn is vanishing.
  for (std::size_t i = 0; i < s.steps.size(); ++i) s.param_grad_norm[3 * i + 1] = s.param_grad_norm[3 * i + 2] = 0.1F;
  const auto frozen = diagnose(s);
  EXPECT_NE(find_finding(frozen, "vanishing_gradients"), nullptr) << describe(frozen);
}

// A run stopped by a non-finite value learned nothing, whatever its last finite losses
// say: its symptoms are problems, not info, and the summary says how it ended.
TEST(Doctor, ARunThatFailedLearnedNothing) {
  std::vector<double> growing;
  for (int i = 0; i < 100; ++i) growing.push_back(std::pow(10.0, i / 20.0));
  MonitorSeries s = series_with_grad_norms(growing, 5.0, 0.01);  // the loss "fell" 99 %
  ASSERT_EQ(find_finding(diagnose(s), "exploding_gradients")->severity, Severity::warning);
  s.first_non_finite = NonFinite{101, "layers.0.weight", "weight"};
  const auto findings = diagnose(s);
  const Finding* f = find_finding(findings, "exploding_gradients");
  ASSERT_NE(f, nullptr) << describe(findings);
  EXPECT_EQ(f->severity, Severity::error);
  EXPECT_NE(f->summary.find("training failed at step 101 (a non-finite weight)"), std::string::npos) << f->summary;
}

// The loss of a run's first step became NaN: no step was recorded, the failure was
// (Monitor::record_failure), and it is the finding, with no layer to name.
TEST(Doctor, ALossThatFailedAtTheFirstStepIsStillFound) {
  MonitorSeries s;
  s.first_non_finite = NonFinite{1, "", "loss"};
  const std::vector<Finding> findings = diagnose(s);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings.front().symptom, "non_finite");
  EXPECT_TRUE(findings.front().layers.empty());
  EXPECT_EQ(findings.front().summary, "The loss became non-finite (NaN or infinity) at step 1.");
  EXPECT_EQ(findings.front().evidence, std::vector<std::string>{"first non-finite value: the loss at step 1"});
}

TEST(Doctor, ATinyLearningRateAndAccuracyAtTheBaseline) {
  {  // SGD at 1e-6: every weight moves by a millionth of itself; nothing is learned.
    const Diagnosed d = train_and_diagnose(
        {.in_features = 4, .hidden = {32, 32}, .activation = Activation::relu, .out_features = 1}, 1e-6, 10);
    const Finding* f = find_finding(d.findings, "lr_too_low");
    ASSERT_NE(f, nullptr) << describe(d.findings);
    // The median update ratio is about 1e-6: three decades below the healthy 1e-3.
    EXPECT_EQ(f->fixes.front(), "--lr 0.001") << describe(d.findings);
    EXPECT_TRUE(!f->chain.empty() && f->chain.back().symptom == "chance_level") << "the poor result is the last link of a chain, not a finding of its own\n"
                        << describe(d.findings);
    EXPECT_EQ(find_finding(d.findings, "chance_level"), nullptr) << describe(d.findings);
  }
  {  // Nothing structural, the loss flat and the accuracy at the baseline: chance level.
    MonitorSeries s = series_with_grad_norms(std::vector<double>(50, 0.1), 0.693, 0.690);
    const auto findings =
        diagnose(s, {.task = Task::binary, .chance = ClassScores{0.515, 0.5}, .scores = ClassScores{0.52, 0.52}});
    const Finding* f = find_finding(findings, "chance_level");
    ASSERT_NE(f, nullptr) << describe(findings);
    EXPECT_EQ(f->severity, Severity::error);
    EXPECT_EQ(find_finding(findings, "plateau"), nullptr) << "one finding for one problem";
    EXPECT_EQ(f->evidence[0],
              "accuracy 0.520, at the majority-class baseline 0.515 (always predicting the most "
              "frequent class)");
    EXPECT_EQ(f->evidence[1], "labels, output and loss fit the task (checked before training)")
        << "classes near balance: the balanced accuracy adds nothing";
    // Far below the baseline is no better than it, and is said to be below.
    const auto below =
        diagnose(s, {.task = Task::binary, .chance = ClassScores{0.5, 0.5}, .scores = ClassScores{0.26, 0.26}});
    ASSERT_NE(find_finding(below, "chance_level"), nullptr) << describe(below);
    EXPECT_EQ(find_finding(below, "chance_level")->evidence[0].rfind("accuracy 0.260, below the majority-class", 0), 0u)
        << find_finding(below, "chance_level")->evidence[0];
  }
}

// Chance is a constant prediction: on unbalanced rows, the most frequent class's share
// as accuracy and 1/k as balanced accuracy.
TEST(Doctor, ChanceIsWhatAConstantPredictionScores) {
  const ClassScores unbalanced = chance_scores({930, 70});
  EXPECT_DOUBLE_EQ(unbalanced.accuracy, 0.93);
  EXPECT_DOUBLE_EQ(unbalanced.balanced_accuracy, 0.5);
  const ClassScores absent = chance_scores({5, 0, 15});  // a class the rows do not hold
  EXPECT_DOUBLE_EQ(absent.accuracy, 0.75);
  EXPECT_DOUBLE_EQ(absent.balanced_accuracy, 0.5);
  EXPECT_DOUBLE_EQ(chance_scores({0, 0}).accuracy, 0.0);

  // A class-weighted model trades the majority's rows for the rare class's recall: its
  // accuracy falls under the majority's share, and it learned.
  const MonitorSeries falling = series_with_grad_norms(std::vector<double>(50, 0.1), 0.693, 0.35);
  const ClassScores chance{0.93, 0.5};
  const auto weighted = diagnose(falling, {.task = Task::binary, .chance = chance, .scores = ClassScores{0.90, 0.83}});
  EXPECT_EQ(find_finding(weighted, "chance_level"), nullptr) << describe(weighted);
  // A model that always says the most frequent class is at chance on both.
  const auto constant = diagnose(falling, {.task = Task::binary, .chance = chance, .scores = ClassScores{0.93, 0.5}});
  const Finding* f = find_finding(constant, "chance_level");
  ASSERT_NE(f, nullptr) << describe(constant);
  ASSERT_GE(f->evidence.size(), 2u);
  EXPECT_EQ(f->evidence[1], "balanced accuracy 0.500, at the 0.500 of any constant prediction");
  EXPECT_NE(f->summary.find("most frequent class"), std::string::npos) << f->summary;

  // Rows of one class: no score can rise above chance, so none is at it. With 99 % of
  // one class, the balanced accuracy alone tells.
  const auto one_class =
      diagnose(falling, {.task = Task::binary, .chance = chance_scores({0, 40}), .scores = ClassScores{0.93, 0.93}});
  EXPECT_EQ(find_finding(one_class, "chance_level"), nullptr) << describe(one_class);
  const ClassScores rare = chance_scores({990, 10});
  EXPECT_FALSE(at_chance({0.97, 0.80}, rare));
  EXPECT_TRUE(at_chance({0.97, 0.51}, rare));
}

// Adam at lr 1: the first steps move every weight by a large fraction of itself and kill
// the ReLU units; the weights then stop moving. The doctor names the learning rate as
// the cause and its fix first, and does not mistake the frozen weights for a learning
// rate too low.
TEST(Doctor, UnitsKilledByFirstStepsFarTooLargeNameTheLearningRate) {
  const Dataset data = make_xor(1500, 6, 12);
  Rng rng(1);
  auto network = make_network({.in_features = 6, .hidden = {64, 64}, .out_features = 1}, rng);
  const BceWithLogits loss;
  Adam adam(1.0);
  Trainer trainer(*network, loss, adam);
  Monitor monitor;
  trainer.add_callback(monitor);
  trainer.fit({data.x, data.y}, {.epochs = 20, .batch_size = 64, .seed = 1});
  const auto findings = diagnose(
      monitor.series(), {.task = Task::binary, .chance = ClassScores{0.5, 0.5}, .scores = ClassScores{0.51, 0.51}});
  const Finding* dead = find_finding(findings, "dead_relu");
  ASSERT_NE(dead, nullptr) << describe(findings);
  EXPECT_EQ(dead->fixes.front(), "--lr 0.1");
  EXPECT_NE(dead->causes.front().find("learning rate 1"), std::string::npos) << dead->causes.front();
  EXPECT_EQ(find_finding(findings, "lr_too_low"), nullptr) << describe(findings);
}

TEST(Doctor, LossSpikesMeanTheLearningRateIsTooHigh) {
  std::vector<double> norms(100, 1.0);
  MonitorSeries s = series_with_grad_norms(norms, 0.7, 0.2);
  for (std::size_t i : {40u, 60u, 80u}) s.loss[i] = 20.0;
  const auto findings = diagnose(s);
  const Finding* f = find_finding(findings, "lr_too_high");
  ASSERT_NE(f, nullptr) << describe(findings);
  EXPECT_EQ(f->first_step, 41);
  EXPECT_EQ(f->fixes.front(), "--lr 0.01");
  MonitorSeries two = series_with_grad_norms(norms, 0.7, 0.2);
  for (std::size_t i : {40u, 60u}) two.loss[i] = 20.0;
  EXPECT_EQ(find_finding(diagnose(two), "lr_too_high"), nullptr) << "two spikes are noise";
}

TEST(Doctor, ValidationLossRisingWhileTrainingLossFallsIsOverfitting) {
  MonitorSeries s = series_with_grad_norms(std::vector<double>(60, 1.0), 0.7, 0.05);
  for (Index e = 1; e <= 6; ++e) {
    for (Index i = (e - 1) * 10; i < e * 10; ++i) s.epochs[static_cast<std::size_t>(i)] = e;
  }
  const double val[] = {0.6, 0.45, 0.40, 0.43, 0.50, 0.58};
  for (Index e = 1; e <= 6; ++e) {
    s.epoch_logs.push_back({.epoch = e, .train_loss = 0.7 - 0.1 * static_cast<double>(e), .val_loss = val[e - 1]});
  }
  auto findings = diagnose(s);
  const Finding* f = find_finding(findings, "overfitting");
  ASSERT_NE(f, nullptr) << describe(findings);
  EXPECT_EQ(f->severity, Severity::warning);
  EXPECT_EQ(f->first_step, 31) << "the first step after the best epoch (3)";
  EXPECT_NE(f->summary.find("after epoch 3"), std::string::npos);
  findings = diagnose(s, {.early_stopping = true});
  ASSERT_NE(find_finding(findings, "overfitting"), nullptr);
  EXPECT_EQ(find_finding(findings, "overfitting")->severity, Severity::info) << "early stopping restored the best epoch";
}

TEST(Doctor, ALossThatStopsFallingFarFromAFitIsAPlateau) {
  MonitorSeries s = series_with_grad_norms(std::vector<double>(80, 1.0), 1.0, 0.97);
  const auto findings = diagnose(s, {.task = Task::regression});
  const Finding* f = find_finding(findings, "plateau");
  ASSERT_NE(f, nullptr) << describe(findings);
  EXPECT_EQ(f->severity, Severity::warning);
}

// Healthy runs through the whole pipeline (run_training): several data sets, depths,
// optimizers, normalisations and residual blocks. None may raise a warning or error.
TEST(Doctor, HealthyRunsRaiseNothingAboveInfo) {
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("glassnet-healthy-{}", ::getpid());
  std::filesystem::create_directories(dir);
  const auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream((dir / name).string()) << text;
    return dir / name;
  };
  const std::vector<std::filesystem::path> data = {
      write("moons.csv", dataset_csv(make_moons(1500, 2, 0.2, 11))),
      write("xor.csv", dataset_csv(make_xor(1500, 6, 12))),
      write("spirals.csv", dataset_csv(make_spirals(1500, 2, 1.5, 0.1, 13))),
      write("fraud.csv", make_fraud_csv(3000, 0.5, 14)),
  };
  struct Setup {
    std::vector<Index> layers;
    std::string optimizer;
    Normalization norm;
    bool residual;
  };
  const std::vector<Setup> setups = {
      {{64, 64}, "adam", Normalization::none, false},
      {{32, 32, 32, 32}, "momentum", Normalization::none, false},
      {{64, 64, 64}, "adam", Normalization::batch, false},
      {{32, 32, 32, 32}, "sgd", Normalization::batch, true},
      {{64, 64}, "rmsprop", Normalization::layer, false},
      {{16, 16, 16, 16, 16, 16}, "adamw", Normalization::none, true},
  };
  int runs = 0;
  for (std::size_t d = 0; d < data.size(); ++d) {
    for (std::size_t k = 0; k < setups.size(); ++k) {
      if ((d + k) % 2 == 1) continue;  // half of the grid keeps the suite quick
      const Setup& setup = setups[k];
      RunConfig c;
      c.data = data[d];
      c.layers = setup.layers;
      c.optimizer = setup.optimizer;
      c.learning_rate = setup.optimizer == "sgd" || setup.optimizer == "momentum" ? 0.05 : 1e-3;
      c.norm = setup.norm;
      c.residual = setup.residual;
      // Spirals need longer to learn, through an early plateau that early stopping would
      // end: there the run is not healthy but cut short (the doctor says plateau).
      const bool spirals = data[d].filename() == "spirals.csv";
      c.epochs = spirals ? 60 : 15;
      if (spirals) c.early_stopping = 0;
      c.out = dir / "model.safetensors";
      std::vector<std::string> announced;  // preflight's warnings, and errors seen during training
      const RunResult r =
          run_training(c, {.on_finding = [&](const Finding& f, Index epoch) {
                             announced.push_back(fmt::format("{} at epoch {}", f.symptom, epoch));
                           }});
      EXPECT_TRUE(announced.empty()) << data[d].filename() << " setup " << k << ": "
                                     << ::testing::PrintToString(announced);
      ++runs;
      for (const Finding& f : r.findings) {
        EXPECT_EQ(f.severity, Severity::info) << data[d].filename() << " setup " << k << ":\n" << describe(r.findings);
      }
    }
  }
  EXPECT_EQ(runs, 12);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace glassnet
