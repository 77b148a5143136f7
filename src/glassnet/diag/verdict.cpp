#include "glassnet/diag/verdict.hpp"

#include <algorithm>
#include <numeric>

namespace glassnet {
namespace {

double mean_of(const std::vector<double>& xs) {
  return std::accumulate(xs.begin(), xs.end(), 0.0) / static_cast<double>(xs.size());
}

}  // namespace

bool worth_confirming(double first, const std::vector<double>& best) {
  return first > *std::max_element(best.begin(), best.end());
}

bool beats_over_seeds(const std::vector<double>& candidate, const std::vector<double>& best, const SeedVerdict& v) {
  const double candidate_low = *std::min_element(candidate.begin(), candidate.end());
  const double best_high = *std::max_element(best.begin(), best.end());
  return candidate_low > best_high + v.min_spread || mean_of(candidate) - mean_of(best) > v.spread;
}

}  // namespace glassnet
