#pragma once
// Sums of many floats, accumulated in double (so that exploding values stay finite and
// small ones are not lost), at vector speed. Eigen 3.4 reduces a cast<double>() one
// element at a time; here 32 running sums, one per position modulo 32, are added in a
// fixed order at the end, so the compiler keeps four independent chains of double FMAs
// and every call gives the same bits (not those of a sum taken in order).

#include <array>
#include <cstddef>

#include "glassnet/core/matrix.hpp"

namespace glassnet {

// Σ term(i) for i in [0, n), term(i) a double.
template <typename Term>
double sum_in_double(Index n, Term term) {
  constexpr Index kSums = 32;
  std::array<double, kSums> sums{};
  Index i = 0;
  for (; i + kSums <= n; i += kSums) {
#pragma omp simd
    for (Index j = 0; j < kSums; ++j) sums[static_cast<std::size_t>(j)] += term(i + j);
  }
  for (std::size_t j = 0; i < n; ++i, ++j) sums[j] += term(i);
  double total = 0.0;
  for (double s : sums) total += s;
  return total;
}

// Σ x[i] over x[0 .. n).
inline double sum_in_double(const Scalar* x, Index n) {
  return sum_in_double(n, [x](Index i) { return static_cast<double>(x[i]); });
}

// Σ (x[i] − centre)² over x[0 .. n).
inline double squared_deviations_in_double(const Scalar* x, Index n, double centre) {
  return sum_in_double(n, [x, centre](Index i) {
    const double d = static_cast<double>(x[i]) - centre;
    return d * d;
  });
}

}  // namespace glassnet
