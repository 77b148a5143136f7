#include "glassnet/diag/causal_chain.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace glassnet {
namespace {

struct Edge {
  std::string_view cause, effect;
};

constexpr std::array kEdges{
    Edge{"unscaled_input", "saturation"},           Edge{"unscaled_input", "dead_relu"},
    Edge{"unscaled_input", "exploding_gradients"},  Edge{"unscaled_input", "lr_too_high"},
    Edge{"deep_saturating", "saturation"},          Edge{"deep_saturating", "vanishing_gradients"},
    Edge{"init_mismatch", "saturation"},            Edge{"init_mismatch", "vanishing_gradients"},
    Edge{"init_mismatch", "exploding_gradients"},   Edge{"init_mismatch", "dead_relu"},
    Edge{"class_imbalance", "chance_level"},        Edge{"saturation", "vanishing_gradients"},
    Edge{"dead_relu", "vanishing_gradients"},       Edge{"lr_too_high", "dead_relu"},
    Edge{"lr_too_high", "exploding_gradients"},     Edge{"lr_too_high", "non_finite"},
    Edge{"exploding_gradients", "non_finite"},
};

// Findings that explain a poor result.
constexpr std::array<std::string_view, 11> kExplainPoorResult{
    "vanishing_gradients", "saturation",     "dead_relu",       "lr_too_high",    "lr_too_low",    "linear_network",
    "exploding_gradients", "cannot_overfit", "deep_saturating", "unscaled_input", "init_mismatch"};

// The longest chain starting at i through unused findings, as indices.
std::vector<std::size_t> longest_from(const std::vector<Finding>& f, const std::vector<bool>& used, std::size_t i,
                                      std::vector<std::vector<std::size_t>>& memo) {
  if (!memo[i].empty()) return memo[i];
  std::vector<std::size_t> best;
  for (std::size_t j = 0; j < f.size(); ++j) {
    if (j == i || used[j] || f[j].severity == Severity::info || !can_cause(f[i].symptom, f[j].symptom)) continue;
    std::vector<std::size_t> path = longest_from(f, used, j, memo);
    if (path.size() > best.size()) best = std::move(path);
  }
  best.insert(best.begin(), i);
  memo[i] = best;
  return best;
}

Link link_of(const Finding& f) { return {f.symptom, f.layers, f.first_step, f.last_step, f.evidence}; }

}  // namespace

bool is_poor_result(std::string_view symptom) {
  return symptom == "chance_level" || symptom == "plateau" || symptom == "poor_learning";
}

bool can_cause(const std::string& cause, const std::string& effect) {
  if (is_poor_result(effect)) {
    if (cause == "class_imbalance") return effect == "chance_level";
    return std::find(kExplainPoorResult.begin(), kExplainPoorResult.end(), cause) != kExplainPoorResult.end();
  }
  return std::any_of(kEdges.begin(), kEdges.end(), [&](const Edge& e) { return e.cause == cause && e.effect == effect; });
}

bool Finding::involves(const std::string& name) const {
  return symptom == name || std::any_of(chain.begin(), chain.end(), [&](const Link& l) { return l.symptom == name; });
}

void link_causes(std::vector<Finding>& findings) {
  const std::size_t n = findings.size();
  std::vector<bool> used(n, false), absorbed(n, false);
  while (true) {
    // The edges form no cycle (causes come before their effects in the table), so the
    // search ends.
    std::vector<std::vector<std::size_t>> memo(n);
    std::vector<std::size_t> best;
    for (std::size_t i = 0; i < n; ++i) {
      if (used[i]) continue;
      std::vector<std::size_t> path = longest_from(findings, used, i, memo);
      if (path.size() > best.size()) best = std::move(path);
    }
    if (best.size() < 2) break;
    Finding& root = findings[best.front()];
    for (std::size_t k = 1; k < best.size(); ++k) {
      Finding& effect = findings[best[k]];
      root.chain.push_back(link_of(effect));
      root.chain.insert(root.chain.end(), effect.chain.begin(), effect.chain.end());
      root.severity = std::max(root.severity, effect.severity);
      absorbed[best[k]] = true;
      if (is_poor_result(effect.symptom)) continue;  // its generic fixes would bury the cause's
      for (const std::string& fix : effect.fixes) {
        if (std::find(root.fixes.begin(), root.fixes.end(), fix) == root.fixes.end()) root.fixes.push_back(fix);
      }
    }
    for (std::size_t i : best) used[i] = true;
  }
  std::vector<Finding> out;
  for (std::size_t i = 0; i < n; ++i) {
    // A slow start that nothing explains is not a finding of its own.
    if (absorbed[i] || findings[i].symptom == "poor_learning") continue;
    out.push_back(std::move(findings[i]));
  }
  std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) { return a.severity > b.severity; });
  findings = std::move(out);
}

}  // namespace glassnet
