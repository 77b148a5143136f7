// Findings that explain one another become one causal chain, each link with its evidence.

#include "glassnet/diag/causal_chain.hpp"

#include <gtest/gtest.h>

namespace glassnet {
namespace {

Finding make(std::string symptom, Severity severity, std::vector<std::string> fixes = {}) {
  Finding f;
  f.symptom = std::move(symptom);
  f.severity = severity;
  f.evidence = {f.symptom + " evidence"};
  f.fixes = std::move(fixes);
  return f;
}

std::vector<std::string> chain_of(const Finding& f) {
  std::vector<std::string> out{f.symptom};
  for (const Link& l : f.chain) out.push_back(l.symptom);
  return out;
}

TEST(CausalChain, UnscaledInputThroughSaturationAndVanishingGradientsToAPlateau) {
  // In scrambled order, with an unrelated finding beside them.
  std::vector<Finding> findings{make("plateau", Severity::warning, {"--lr 0.01"}),
                                make("vanishing_gradients", Severity::error, {"--activation relu --init he"}),
                                make("too_many_parameters", Severity::info),
                                make("saturation", Severity::warning, {"--activation relu --init he", "--norm batch"}),
                                make("unscaled_input", Severity::warning, {"drop --no-standardize"})};
  link_causes(findings);
  ASSERT_EQ(findings.size(), 2u);
  const Finding& root = findings.front();
  EXPECT_EQ(chain_of(root),
            (std::vector<std::string>{"unscaled_input", "saturation", "vanishing_gradients", "plateau"}));
  EXPECT_EQ(root.severity, Severity::error) << "the chain is as severe as its worst link";
  EXPECT_EQ(root.chain[1].evidence, std::vector<std::string>{"vanishing_gradients evidence"}) << "links keep evidence";
  // The cause's fixes first, then the links' new ones; none of the poor result's.
  EXPECT_EQ(root.fixes,
            (std::vector<std::string>{"drop --no-standardize", "--activation relu --init he", "--norm batch"}));
  EXPECT_TRUE(root.involves("vanishing_gradients"));
  EXPECT_EQ(findings.back().symptom, "too_many_parameters");
}

TEST(CausalChain, OnlyProblemsJoinAChain) {
  // Saturation that did not hurt learning (info) is no effect of the unscaled input.
  std::vector<Finding> findings{make("unscaled_input", Severity::warning), make("saturation", Severity::info)};
  link_causes(findings);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_TRUE(findings[0].chain.empty() && findings[1].chain.empty());
}

TEST(CausalChain, EachFindingJoinsOneChainAndTheLongestFormsFirst) {
  std::vector<Finding> findings{make("lr_too_high", Severity::error), make("dead_relu", Severity::warning),
                                make("vanishing_gradients", Severity::error), make("chance_level", Severity::error),
                                make("exploding_gradients", Severity::warning)};
  link_causes(findings);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(chain_of(findings[0]),
            (std::vector<std::string>{"lr_too_high", "dead_relu", "vanishing_gradients", "chance_level"}));
  EXPECT_EQ(chain_of(findings[1]), std::vector<std::string>{"exploding_gradients"});
}

TEST(CausalChain, SlowLearningStandsOnlyAsAnExplainedEffect) {
  std::vector<Finding> alone{make("poor_learning", Severity::warning), make("overfitting", Severity::warning)};
  link_causes(alone);
  ASSERT_EQ(alone.size(), 1u) << "overfitting does not explain poor learning, and slow learning alone is no finding";
  EXPECT_EQ(alone[0].symptom, "overfitting");

  std::vector<Finding> explained{make("poor_learning", Severity::warning), make("lr_too_low", Severity::warning)};
  link_causes(explained);
  ASSERT_EQ(explained.size(), 1u);
  EXPECT_EQ(chain_of(explained[0]), (std::vector<std::string>{"lr_too_low", "poor_learning"}));
}

TEST(CausalChain, TheEdgesFollowTheTable) {
  EXPECT_TRUE(can_cause("class_imbalance", "chance_level"));
  EXPECT_FALSE(can_cause("class_imbalance", "plateau"));
  EXPECT_TRUE(can_cause("exploding_gradients", "non_finite"));
  EXPECT_FALSE(can_cause("vanishing_gradients", "saturation")) << "effects do not cause their causes";
  EXPECT_FALSE(can_cause("overfitting", "chance_level"));
}

}  // namespace
}  // namespace glassnet
