#include "glassnet/diag/activation_stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>
#include <utility>

#include "glassnet/core/double_sums.hpp"

namespace glassnet {

bool saturates(Activation activation) { return activation == Activation::sigmoid || activation == Activation::tanh; }

bool can_die(Activation activation) {
  return activation == Activation::relu || activation == Activation::leaky_relu || activation == Activation::gelu ||
         activation == Activation::gelu_tanh;
}

ActivationStats activation_stats(Activation activation, ConstMatrixView z, ConstMatrixView a) {
  const SavedView z_part = z, a_part = a;
  return activation_stats(activation, {&z_part, 1}, {&a_part, 1});
}

namespace {

// Σ x over the parts, then Σ (x − mean)² / n about the whole's mean: the two-pass
// deviation of the whole. Returns {mean, std}.
std::pair<double, double> mean_and_std(std::span<const SavedView> parts, double n) {
  double sum = 0.0;
  for (const SavedView& part : parts) sum += sum_in_double(part.view().data(), part.view().size());
  const double mean = sum / n;
  double squares = 0.0;
  for (const SavedView& part : parts) {
    squares += squared_deviations_in_double(part.view().data(), part.view().size(), mean);
  }
  return {mean, std::sqrt(std::max(0.0, squares / n))};
}

}  // namespace

ActivationStats activation_stats(Activation activation, std::span<const SavedView> z_parts,
                                 std::span<const SavedView> a_parts) {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  Index values = 0;
  for (const SavedView& part : z_parts) values += part.view().size();
  if (values == 0) return {nan, nan, nan, nan, nan};
  const auto n = static_cast<double>(values);
  ActivationStats s;
  std::tie(s.pre_mean, s.pre_std) = mean_and_std(z_parts, n);
  s.post_std = mean_and_std(a_parts, n).second;
  s.saturated = nan;
  if (saturates(activation)) {
    Index saturated = 0;
    for (const SavedView& part : z_parts) {
      saturated += (part.view().array().abs() > Scalar(kSaturationThreshold)).count();
    }
    s.saturated = static_cast<double>(saturated) / n;
  }
  s.dead = nan;
  if (can_die(activation)) {
    // A unit is dead on this batch when its largest pre-activation, over every part, is ≤ 0.
    const Index units = z_parts.front().view().cols();
    Index dead = 0;
    for (Index j = 0; j < units; ++j) {
      bool alive = false;
      for (const SavedView& part : z_parts) {
        const ConstMatrixView z = part.view();
        alive = alive || (z.rows() > 0 && z.col(j).maxCoeff() > Scalar(0));
      }
      dead += alive ? 0 : 1;
    }
    s.dead = static_cast<double>(dead) / static_cast<double>(units);
  }
  return s;
}

LogHistogram log_histogram(const Scalar* values, Index n) {
  LogHistogram h;
  for (Index i = 0; i < n; ++i) {
    const double v = std::abs(static_cast<double>(values[i]));
    if (!std::isfinite(v)) {
      ++h.non_finite;
    } else if (v == 0.0) {
      ++h.zeros;
    } else {
      const double bin = std::floor((std::log10(v) - kHistogramLowestLog10) / kHistogramBinWidth);
      if (bin < 0) {
        ++h.below;
      } else if (bin >= kHistogramBins) {
        ++h.above;
      } else {
        ++h.bins[static_cast<std::size_t>(bin)];
      }
    }
  }
  return h;
}

void add_counts(LogHistogram& h, const LogHistogram& other) {
  for (std::size_t b = 0; b < h.bins.size(); ++b) h.bins[b] += other.bins[b];
  h.zeros += other.zeros;
  h.below += other.below;
  h.above += other.above;
  h.non_finite += other.non_finite;
}

}  // namespace glassnet
