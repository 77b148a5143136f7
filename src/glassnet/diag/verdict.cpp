#include "glassnet/diag/verdict.hpp"

#include <algorithm>
#include <optional>

#include "glassnet/diag/trials.hpp"

namespace glassnet {
namespace {

// The mean of the runs that did not diverge; nullopt when every one did.
std::optional<double> finished_mean(const std::vector<double>& xs) {
  double sum = 0.0;
  int count = 0;
  for (double x : xs) {
    if (x > kDivergedMetric) {
      sum += x;
      ++count;
    }
  }
  if (count == 0) return std::nullopt;
  return sum / count;
}

}  // namespace

bool worth_confirming(double first, const std::vector<double>& best) {
  return first > *std::max_element(best.begin(), best.end());
}

bool beats_over_seeds(const std::vector<double>& candidate, const std::vector<double>& best, const SeedVerdict& v) {
  const double candidate_low = *std::min_element(candidate.begin(), candidate.end());
  const double best_high = *std::max_element(best.begin(), best.end());
  if (candidate_low > best_high + v.min_spread) return true;
  if (candidate_low <= kDivergedMetric) return false;  // a run of the candidate diverged
  const auto best_mean = finished_mean(best);
  return !best_mean || *finished_mean(candidate) - *best_mean > v.spread;
}

}  // namespace glassnet
