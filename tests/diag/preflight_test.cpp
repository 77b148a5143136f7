// Each preflight check provoked on purpose, and silent on a sound set-up.

#include "glassnet/diag/preflight.hpp"

#include <gtest/gtest.h>

#include "glassnet/core/threads.hpp"
#include "glassnet/data/input_rows.hpp"
#include "glassnet/data/synthetic.hpp"
#include "glassnet/loss/bce_with_logits.hpp"
#include "glassnet/loss/mse.hpp"
#include "glassnet/loss/softmax_cross_entropy.hpp"
#include "test_support.hpp"

namespace glassnet {
namespace {

using testing::find_finding;

std::vector<std::string> symptoms(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const Finding& f : findings) out.push_back(f.symptom);
  return out;
}

bool has(const std::vector<Finding>& findings, const std::string& symptom) {
  const auto s = symptoms(findings);
  return std::find(s.begin(), s.end(), symptom) != s.end();
}

struct Candidate {
  std::unique_ptr<Network> network;
  Dataset data;
  BceWithLogits loss;
  PreflightInput input() {
    return {.network = network.get(), .loss = &loss, .x = data.x, .targets = data.y, .task = Task::binary};
  }
};

Candidate moons(NetworkSpec spec, Index rows = 400) {
  Candidate s;
  s.data = make_moons(rows, 2, 0.1, 5);
  spec.in_features = 2;
  Rng rng(1);
  s.network = make_network(spec, rng);
  return s;
}

TEST(Preflight, ASoundSetupRaisesNothing) {
  Candidate s = moons({.hidden = {32, 32}});
  const auto findings = preflight(s.input());
  EXPECT_TRUE(findings.empty()) << ::testing::PrintToString(symptoms(findings));
}

TEST(Preflight, UnscaledFeaturesWhenStandardisationIsOff) {
  Candidate s = moons({.hidden = {32, 32}});
  s.data.x.col(0) *= Scalar(1000);
  s.data.x.col(1) = s.data.x.col(1) * Scalar(0.5) + Matrix::Constant(s.data.x.rows(), 1, 50);
  PreflightInput in = s.input();
  in.feature_names = {"amount", "rate"};
  in.standardized = false;
  const auto findings = preflight(in);
  ASSERT_TRUE(has(findings, "unscaled_input")) << ::testing::PrintToString(symptoms(findings));
  const Finding& f = findings.front();
  EXPECT_NE(f.evidence[0].find("rate"), std::string::npos) << f.evidence[0];
  EXPECT_NE(f.evidence[0].find("amount"), std::string::npos) << f.evidence[0];
  in.standardized = true;
  EXPECT_FALSE(has(preflight(in), "unscaled_input"));
}

// Inputs held as InputRows (a text column as a code a row) are checked as their matrix
// is: the statistics of every input over blocks of rows, the first loss, the one batch.
TEST(Preflight, InputRowsAreCheckedAsTheirMatrix) {
  constexpr Index rows = 2500, width = 7;  // inputs: amount, city (5), rate
  Rng rng(3);
  Matrix numeric(rows, 2);
  std::vector<std::uint32_t> codes;
  Matrix y(rows, 1);
  for (Index r = 0; r < rows; ++r) {
    numeric(r, 0) = static_cast<Scalar>(1000.0 * rng.normal());
    numeric(r, 1) = static_cast<Scalar>(0.01 * rng.normal() + 3.0);
    const auto city = static_cast<std::uint32_t>(rng.below(5));
    codes.push_back(1 + city);
    y(r, 0) = city == 1 ? 1.0F : 0.0F;
  }
  const InputRows x(numeric, {0, 6}, codes, 1, width);
  const Matrix matrix = x.matrix();
  Rng init(1);
  auto network = make_network({.in_features = width, .hidden = {16}}, init);
  const BceWithLogits loss;
  PreflightInput held{.network = network.get(), .loss = &loss, .x = x, .targets = y, .task = Task::binary};
  held.feature_names = {"amount", "city=a", "city=b", "city=c", "city=d", "city=e", "rate"};
  held.standardized = false;
  PreflightInput whole = held;
  whole.x = matrix;
  const auto a = preflight(held), b = preflight(whole);
  ASSERT_TRUE(has(a, "unscaled_input")) << ::testing::PrintToString(symptoms(a));
  ASSERT_EQ(symptoms(a), symptoms(b));
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].evidence, b[i].evidence) << a[i].symptom;
}

// A constant feature far from zero has no spread to compare: it was never flagged, and
// its offset killed half a layer's units (blamed on negative biases).
TEST(Preflight, AConstantFeatureFarFromZeroIsUnscaled) {
  Candidate s = moons({.hidden = {32, 32}});
  const Index rows = s.data.x.rows();
  Matrix x(rows, 3);
  x << s.data.x, Matrix::Constant(rows, 1, 1000);
  s.data.x = x;
  s.network = [] {
    Rng rng(1);
    return make_network({.in_features = 3, .hidden = {32, 32}}, rng);
  }();
  PreflightInput in = s.input();
  in.feature_names = {"x0", "x1", "c"};
  in.standardized = false;
  const auto findings = preflight(in);
  ASSERT_TRUE(has(findings, "unscaled_input")) << ::testing::PrintToString(symptoms(findings));
  const auto& evidence = findings.front().evidence;
  EXPECT_NE(std::find_if(evidence.begin(), evidence.end(),
                         [](const std::string& e) { return e.starts_with("c: constant at 1e+03, against standard"); }),
            evidence.end())
      << ::testing::PrintToString(evidence);
  x.col(2).setConstant(1);  // a constant near zero is nothing to flag
  s.data.x = x;
  PreflightInput near_zero = s.input();
  near_zero.standardized = false;
  EXPECT_FALSE(has(preflight(near_zero), "unscaled_input"));
}

// A feature that counts the rows is a warning naming each such column and one --ignore
// for them all.
TEST(Preflight, AColumnThatCountsTheRowsIsARowNumber) {
  Candidate s = moons({.hidden = {32, 32}});
  PreflightInput in = s.input();
  in.overfit_check = false;
  EXPECT_FALSE(has(preflight(in), "row_number"));
  in.row_numbers = {{.name = "Unnamed: 0", .first = 0, .last = 399}, {.name = "id", .first = 1, .last = 1'000'000}};
  const auto findings = preflight(in);
  const Finding* f = find_finding(findings, "row_number");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::warning);
  EXPECT_EQ(f->evidence,
            (std::vector<std::string>{"'Unnamed: 0' is 0, 1, 2, … 399: one more on each row, in file order",
                                      "'id' is 1, 2, 3, … 1000000: one more on each row, in file order"}));
  EXPECT_EQ(f->fixes, std::vector<std::string>{"--ignore Unnamed: 0,id"});
}

// A text column of dates is a warning naming each such column, its dates, and one
// --ignore for them all.
TEST(Preflight, ATextColumnOfDatesIsAWarning) {
  Candidate s = moons({.hidden = {32, 32}});
  PreflightInput in = s.input();
  in.overfit_check = false;
  EXPECT_FALSE(has(preflight(in), "date_column"));
  in.date_columns = {{.name = "day", .dates = 59, .first_seen = "2024-02-25", .second_seen = "2024-02-17"},
                     {.name = "paid at", .dates = 300, .first_seen = "10:05", .second_seen = "10:07"}};
  const auto findings = preflight(in);
  const Finding* f = find_finding(findings, "date_column");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::warning);
  EXPECT_EQ(f->evidence, (std::vector<std::string>{
                             "'day' holds 59 different dates or times in the training rows ('2024-02-25', "
                             "'2024-02-17', …): 59 inputs",
                             "'paid at' holds 300 different dates or times in the training rows ('10:05', '10:07', "
                             "…): 300 inputs"}));
  EXPECT_EQ(f->fixes, std::vector<std::string>{"--ignore day,paid at"});
}

TEST(Preflight, ARareClassWithoutClassWeights) {
  Candidate s = moons({.hidden = {32, 32}});
  for (Index i = 0; i < s.data.y.rows(); ++i) s.data.y(i, 0) = i % 25 == 0 ? 1 : 0;  // 4 % positives
  PreflightInput in = s.input();
  in.overfit_check = false;
  EXPECT_TRUE(has(preflight(in), "class_imbalance"));
  in.class_weights = true;
  EXPECT_FALSE(has(preflight(in), "class_imbalance"));
}

TEST(Preflight, ARareClassIsRareAgainstAnEvenShare) {
  Candidate s = moons({.hidden = {32, 32}, .out_features = 10});
  const SoftmaxCrossEntropy loss;
  const Index n = s.data.y.rows();
  // Ten classes, class 0 with `rare` of the rows, the others sharing the rest.
  const auto classes_with = [&](double rare, std::vector<std::string> names = {}) {
    for (Index i = 0; i < n; ++i) {
      s.data.y(i, 0) = static_cast<double>(i) < rare * static_cast<double>(n) ? Scalar(0) : static_cast<Scalar>(1 + i % 9);
    }
    PreflightInput in{.network = s.network.get(),
                      .loss = &loss,
                      .x = s.data.x,
                      .targets = s.data.y,
                      .task = Task::multiclass,
                      .classes = 10,
                      .class_names = std::move(names)};
    in.overfit_check = false;
    return preflight(in);
  };
  EXPECT_FALSE(has(classes_with(0.09), "class_imbalance")) << "9 %: near an even share (10 %), nothing rare";
  const auto findings = classes_with(0.015);
  ASSERT_TRUE(has(findings, "class_imbalance")) << "1.5 %: under a fifth of an even share (2 %)";
  const std::string& evidence = find_finding(findings, "class_imbalance")->evidence[0];
  EXPECT_NE(evidence.find("flagged below 2 %"), std::string::npos) << evidence;
  EXPECT_EQ(evidence.rfind("class 0 holds", 0), 0u) << evidence;
  // With the labels' names, the rare class is named by its label, not its index.
  const auto named = classes_with(0.015, {"rare", "b", "c", "d", "e", "f", "g", "h", "i", "j"});
  ASSERT_TRUE(has(named, "class_imbalance"));
  EXPECT_EQ(find_finding(named, "class_imbalance")->evidence[0].rfind("class 'rare' holds", 0), 0u)
      << find_finding(named, "class_imbalance")->evidence[0];
}

TEST(Preflight, ArchitectureAndInitialisation) {
  {
    Candidate s = moons({.hidden = {16, 16}, .activation = Activation::identity});
    EXPECT_TRUE(has(preflight(s.input()), "linear_network"));
  }
  {
    Candidate s = moons({.hidden = std::vector<Index>(6, 16), .activation = Activation::sigmoid});
    PreflightInput in = s.input();
    in.overfit_check = false;
    EXPECT_TRUE(has(preflight(in), "deep_saturating"));
    Candidate normalised =
        moons({.hidden = std::vector<Index>(6, 16), .activation = Activation::sigmoid, .norm = Normalization::batch});
    PreflightInput n = normalised.input();
    n.overfit_check = false;
    EXPECT_FALSE(has(preflight(n), "deep_saturating"));
  }
  {
    Candidate s =
        moons({.hidden = {16, 16, 16, 16}, .activation = Activation::relu, .init = InitScheme::xavier_normal});
    const auto findings = preflight(s.input());
    ASSERT_TRUE(has(findings, "init_mismatch")) << ::testing::PrintToString(symptoms(findings));
  }
}

TEST(Preflight, AnInitialLossFarAboveLnTwo) {
  Candidate s = moons({.hidden = {32, 32}});
  ParamStore& params = s.network->params();
  params.value(params.find("layers.4.weight")) *= Scalar(200);
  PreflightInput in = s.input();
  in.overfit_check = false;
  const auto findings = preflight(in);
  ASSERT_TRUE(has(findings, "initial_loss")) << ::testing::PrintToString(symptoms(findings));
}

TEST(Preflight, ANetworkThatCannotFitOneBatch) {
  // XOR labels behind a linear network of one unit: no weights fit 16 rows of XOR.
  Candidate s;
  s.data = make_xor(200, 2, 3);
  Rng rng(1);
  s.network = make_network({.in_features = 2, .hidden = {1}, .activation = Activation::identity}, rng);
  EXPECT_TRUE(has(preflight(s.input()), "cannot_overfit"));
}

TEST(Preflight, ManyParametersForFewRows) {
  Candidate s = moons({.hidden = {128, 128}}, 40);
  PreflightInput in = s.input();
  in.overfit_check = false;
  const auto findings = preflight(in);
  ASSERT_TRUE(has(findings, "too_many_parameters"));
  EXPECT_EQ(findings.back().severity, Severity::info);
}

TEST(Preflight, LabelsThatDoNotFitTheOutputAndLoss) {
  {  // Ten classes behind a sigmoid and binary cross-entropy.
    Candidate s = moons({.hidden = {16}});
    for (Index i = 0; i < s.data.y.rows(); ++i) s.data.y(i, 0) = static_cast<Scalar>(i % 10);
    const auto findings = preflight(s.input());  // the loss would throw; preflight reports instead
    ASSERT_TRUE(has(findings, "label_mismatch")) << ::testing::PrintToString(symptoms(findings));
    EXPECT_EQ(findings.front().severity, Severity::error);
    EXPECT_NE(findings.front().evidence[0].find("targets from 0 to 9, all whole numbers"), std::string::npos);
    EXPECT_EQ(findings.front().fixes[0], "--task multiclass (softmax and cross-entropy)");
  }
  {  // One-hot targets where cross-entropy takes the class index.
    Candidate s = moons({.hidden = {16}, .out_features = 3, .output = OutputTransform::softmax});
    SoftmaxCrossEntropy ce;
    Matrix one_hot = Matrix::Zero(s.data.y.rows(), 3);
    for (Index i = 0; i < one_hot.rows(); ++i) one_hot(i, i % 3) = 1;
    const auto findings = preflight({.network = s.network.get(), .loss = &ce, .x = s.data.x, .targets = one_hot,
                                     .task = Task::multiclass, .classes = 3});
    ASSERT_TRUE(has(findings, "label_mismatch"));
    EXPECT_NE(findings.front().evidence[0].find("3 target columns, one-hot encoded"), std::string::npos);
  }
  {  // A regression target behind a sigmoid output.
    Candidate s = moons({.hidden = {16}});
    MeanSquaredError mse;
    PreflightInput in = s.input();
    in.loss = &mse;
    in.task = Task::regression;
    for (Index i = 0; i < s.data.y.rows(); ++i) s.data.y(i, 0) = static_cast<Scalar>(i % 97) * Scalar(0.37);
    const auto findings = preflight(in);
    ASSERT_TRUE(has(findings, "label_mismatch")) << ::testing::PrintToString(symptoms(findings));
    EXPECT_NE(findings.front().evidence[0].find("a sigmoid output with the mse loss"), std::string::npos)
        << findings.front().evidence[0];
  }
  {  // Class labels trained as a regression: a warning naming the task to use.
    Candidate s = moons({.hidden = {16}, .output = OutputTransform::identity});
    MeanSquaredError mse;
    PreflightInput in = s.input();
    in.loss = &mse;
    in.task = Task::regression;
    in.overfit_check = false;
    const auto findings = preflight(in);
    ASSERT_TRUE(has(findings, "label_mismatch")) << ::testing::PrintToString(symptoms(findings));
    EXPECT_EQ(findings.front().severity, Severity::warning);
    EXPECT_EQ(findings.front().fixes[0], "--task binary");
    // A continuous target is left alone.
    for (Index i = 0; i < s.data.y.rows(); ++i) s.data.y(i, 0) = s.data.x(i, 0) * Scalar(3.5);
    EXPECT_FALSE(has(preflight(in), "label_mismatch"));
  }
}

// The memory check, at available memory set around the estimate.
struct ImageSetup {
  std::unique_ptr<Network> network;
  Matrix x{2048, 784}, y{2048, 1};
  SoftmaxCrossEntropy loss;
  ImageSetup() {
    Rng rng(4);
    network = make_network(
        {.in_features = 784, .hidden = {256, 128}, .out_features = 10, .output = OutputTransform::softmax}, rng);
    x.setConstant(Scalar(0.5));
    for (Index i = 0; i < y.rows(); ++i) y(i, 0) = static_cast<Scalar>(i % 10);
  }
  PreflightInput input(Index batch, std::uint64_t available) {
    return {.network = network.get(),
            .loss = &loss,
            .x = x,
            .targets = y,
            .task = Task::multiclass,
            .classes = 10,
            .overfit_check = false,
            .batch_size = batch,
            .optimizer_buffers = 2,
            .data_bytes = 500'000'000,
            .available_bytes = available};
  }
};

TEST(Preflight, MemoryEstimateAddsParametersOptimizerAndLayerBuffers) {
  ImageSetup s;
  const MemoryEstimate m = estimate_memory(s.input(128, 0));
  const std::uint64_t values = 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10;
  EXPECT_EQ(m.parameters, 2 * values * sizeof(Scalar));  // values and gradients
  EXPECT_EQ(m.optimizer, 2 * values * sizeof(Scalar));   // Adam's two moments
  EXPECT_EQ(m.data, 500'000'000u);
  // Per row: the layers' buffers, the batch's inputs and target, the loss gradient.
  EXPECT_EQ(m.per_row, static_cast<std::uint64_t>(s.network->floats_per_row() + 784 + 1 + 10) * sizeof(Scalar));
  EXPECT_EQ(m.activations, m.per_row * 256);  // the evaluation batch (Trainer::kEvaluationBatch) is the larger
  EXPECT_EQ(estimate_memory(s.input(4096, 0)).activations, m.per_row * 4096);
}

TEST(Preflight, MemoryEstimateCountsTheCopiesOfABatchSplitAcrossTheThreads) {
  Rng rng(4);
  const auto network = make_network({.in_features = 30, .hidden = {32, 32}, .out_features = 1}, rng);
  const Matrix x = Matrix::Zero(64, 30), y = Matrix::Zero(64, 1);
  const BceWithLogits loss;
  const PreflightInput in{
      .network = network.get(), .loss = &loss, .x = x, .targets = y, .overfit_check = false, .batch_size = 4096};
  const auto values = static_cast<std::uint64_t>(network->params().size());
  const auto buffers = static_cast<std::uint64_t>(network->floats_per_row()) * sizeof(Scalar);
  const ThreadCountScope one(1);
  const MemoryEstimate whole = estimate_memory(in);
  EXPECT_EQ(whole.parameters, 2 * values * sizeof(Scalar));
  const ThreadCountScope two(2);  // 2048 rows a thread, through a copy with gradients of its own
  const MemoryEstimate split = estimate_memory(in);
  EXPECT_EQ(split.parameters, 3 * values * sizeof(Scalar));
  EXPECT_EQ(split.activations, whole.activations + 2048 * buffers);
}

TEST(Preflight, MemoryAboveWhatIsAvailable) {
  ImageSetup s;
  const MemoryEstimate m = estimate_memory(s.input(128, 0));
  const std::uint64_t needed = m.total() - m.data;
  EXPECT_EQ(find_finding(preflight(s.input(128, 10 * needed)), "memory"), nullptr);
  const auto close_to = preflight(s.input(128, needed * 100 / 90));
  const Finding* tight = find_finding(close_to, "memory");
  ASSERT_NE(tight, nullptr);
  EXPECT_EQ(tight->severity, Severity::warning);
  const auto short_of = preflight(s.input(128, needed / 2));
  const Finding* error = find_finding(short_of, "memory");
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(error->severity, Severity::error);
  EXPECT_NE(error->evidence[0].find("per row at batch 128"), std::string::npos) << error->evidence[0];
}

TEST(Preflight, MemoryNamesTheBatchSizeThatFits) {
  ImageSetup s;
  const Index full = 60'000;
  const MemoryEstimate at_4000 = estimate_memory(s.input(4000, 0));
  const std::uint64_t available = (at_4000.total() - at_4000.data) * 10 / 8;  // 4000 rows fit within 80 %
  const auto findings = preflight(s.input(full, available));
  const Finding* f = find_finding(findings, "memory");
  ASSERT_NE(f, nullptr);
  ASSERT_FALSE(f->fixes.empty());
  const std::string& fix = f->fixes.front();
  ASSERT_EQ(fix.rfind("--batch-size ", 0), 0u) << fix;
  const Index fits = std::stol(fix.substr(13));
  EXPECT_GE(fits, 4000);
  EXPECT_LT(fits, 4100);
  EXPECT_EQ(find_finding(preflight(s.input(fits, available)), "memory"), nullptr);
}

}  // namespace
}  // namespace glassnet
