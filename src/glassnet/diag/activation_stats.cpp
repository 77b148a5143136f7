#include "glassnet/diag/activation_stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "glassnet/core/double_sums.hpp"

namespace glassnet {

bool saturates(Activation activation) { return activation == Activation::sigmoid || activation == Activation::tanh; }

bool can_die(Activation activation) {
  return activation == Activation::relu || activation == Activation::leaky_relu || activation == Activation::gelu ||
         activation == Activation::gelu_tanh;
}

ActivationStats activation_stats(Activation activation, ConstMatrixView z, ConstMatrixView a) {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  ActivationStats s;
  const auto n = static_cast<double>(z.size());
  if (z.size() == 0) return {nan, nan, nan, nan, nan};
  s.pre_mean = sum_in_double(z.data(), z.size()) / n;
  s.pre_std = std::sqrt(std::max(0.0, squared_deviations_in_double(z.data(), z.size(), s.pre_mean) / n));
  const double post_mean = sum_in_double(a.data(), a.size()) / n;
  s.post_std = std::sqrt(std::max(0.0, squared_deviations_in_double(a.data(), a.size(), post_mean) / n));
  s.saturated =
      saturates(activation) ? static_cast<double>((z.array().abs() > Scalar(kSaturationThreshold)).count()) / n : nan;
  if (can_die(activation)) {
    // A unit is dead on this batch when its largest pre-activation is ≤ 0.
    const auto column_max = z.colwise().maxCoeff();
    s.dead = static_cast<double>((column_max.array() <= Scalar(0)).count()) / static_cast<double>(z.cols());
  } else {
    s.dead = nan;
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

}  // namespace glassnet
