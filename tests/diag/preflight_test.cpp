// Each preflight check provoked on purpose, and silent on a sound set-up.

#include "glassnet/diag/preflight.hpp"

#include <gtest/gtest.h>

#include "glassnet/data/synthetic.hpp"
#include "glassnet/loss/bce_with_logits.hpp"
#include "glassnet/loss/softmax_cross_entropy.hpp"

namespace glassnet {
namespace {

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

TEST(Preflight, ARareClassWithoutClassWeights) {
  Candidate s = moons({.hidden = {32, 32}});
  for (Index i = 0; i < s.data.y.rows(); ++i) s.data.y(i, 0) = i % 25 == 0 ? 1 : 0;  // 4 % positives
  PreflightInput in = s.input();
  in.overfit_check = false;
  EXPECT_TRUE(has(preflight(in), "class_imbalance"));
  in.class_weights = true;
  EXPECT_FALSE(has(preflight(in), "class_imbalance"));
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

}  // namespace
}  // namespace glassnet
