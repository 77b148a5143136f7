#pragma once
// The median the diagnostics use for windows of a series: robust to the single noisy
// batch that a mean would follow. Of an even count, the upper of the middle two.

#include <algorithm>
#include <cmath>
#include <vector>

namespace glassnet {

// NaN for no values.
inline double median(std::vector<double> values) {
  if (values.empty()) return std::nan("");
  const auto mid = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), mid, values.end());
  return *mid;
}

}  // namespace glassnet
