#pragma once
// Statistics of one activation layer on one batch, as the monitor probes them:
//   z:[B, units] the pre-activations (the output of the layer before the activation),
//   a:[B, units] the activations.
//
//   pre_mean, pre_std   over all B·units values of z
//   saturated           sigmoid and tanh: the fraction of values with |z| > 5, where
//                       the derivative is below 0.0067 (sigmoid) or 0.00018 (tanh)
//   dead                ReLU family: the fraction of units with z ≤ 0 for every row
//                       of the batch (they pass no gradient at all)
//   post_std            over all values of a
// A statistic that does not apply to the activation is NaN.
// A batch split across the threads (train/split_step.hpp) leaves its rows in parts, one
// per network: the parts' statistics are those of the whole batch (sums added in part
// order; a unit is dead when it is ≤ 0 on every row of every part).

#include <array>
#include <cstdint>
#include <span>

#include "glassnet/core/matrix.hpp"
#include "glassnet/nn/activations.hpp"

namespace glassnet {

struct ActivationStats {
  double pre_mean = 0.0;
  double pre_std = 0.0;
  double saturated = 0.0;
  double dead = 0.0;
  double post_std = 0.0;
};

inline constexpr double kSaturationThreshold = 5.0;

bool saturates(Activation activation);  // sigmoid, tanh
bool can_die(Activation activation);    // relu, leaky_relu, gelu, gelu_tanh
ActivationStats activation_stats(Activation activation, ConstMatrixView z, ConstMatrixView a);
// z_parts[p], a_parts[p]: part p's rows, all parts the same width.
ActivationStats activation_stats(Activation activation, std::span<const SavedView> z_parts,
                                 std::span<const SavedView> a_parts);

// Histogram of log10|x| in kHistogramBins bins of width 0.5 from 10^-12 to 10^4, plus
// counts of exact zeros and of values outside the range (below, above) and of
// non-finite values. For the full monitor.
inline constexpr int kHistogramBins = 32;
inline constexpr double kHistogramLowestLog10 = -12.0;
inline constexpr double kHistogramBinWidth = 0.5;
struct LogHistogram {
  std::array<std::uint32_t, kHistogramBins> bins{};
  std::uint32_t zeros = 0, below = 0, above = 0, non_finite = 0;
};
LogHistogram log_histogram(const Scalar* values, Index n);
// Adds the counts of `other` into `h`.
void add_counts(LogHistogram& h, const LogHistogram& other);

}  // namespace glassnet
