#include "glassnet/data/split.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <numeric>

#include "glassnet/core/error.hpp"
#include "glassnet/core/rng.hpp"

namespace glassnet {

Split split_rows(Index rows, double validation_fraction, double test_fraction, std::uint64_t seed,
                 std::span<const Index> classes) {
  if (!(validation_fraction >= 0 && validation_fraction < 1) || !(test_fraction >= 0 && test_fraction < 1) ||
      validation_fraction + test_fraction >= 1) {
    throw Error(
        fmt::format("splits: expected fractions in [0, 1) that leave rows to train on, got validation {} "
                    "and test {}",
                    validation_fraction, test_fraction));
  }
  if (!classes.empty() && static_cast<Index>(classes.size()) != rows) {
    throw Error("splits: one class per row expected");
  }
  // Groups of rows to divide alike: one per class, or one for all.
  std::map<Index, std::vector<Index>> groups;
  for (Index r = 0; r < rows; ++r) groups[classes.empty() ? 0 : classes[static_cast<std::size_t>(r)]].push_back(r);
  Rng rng(seed);
  enum class Part : std::uint8_t { train, validation, test };
  std::vector<Part> part(static_cast<std::size_t>(rows), Part::train);
  for (auto& [label, members] : groups) {
    rng.shuffle(members);
    const auto n = static_cast<double>(members.size());
    auto n_test = static_cast<std::size_t>(std::llround(n * test_fraction));
    auto n_val = static_cast<std::size_t>(std::llround(n * validation_fraction));
    while (n_test + n_val >= members.size() && (n_test > 0 || n_val > 0)) {  // keep a training row
      if (n_test >= n_val && n_test > 0)
        --n_test;
      else
        --n_val;
    }
    for (std::size_t k = 0; k < n_test + n_val; ++k) {
      part[static_cast<std::size_t>(members[k])] = k < n_test ? Part::test : Part::validation;
    }
  }
  // Each part in row order (a pass over the rows, not a sort of each part).
  Split split;
  for (Index r = 0; r < rows; ++r) {
    switch (part[static_cast<std::size_t>(r)]) {
      case Part::train: split.train.push_back(r); break;
      case Part::validation: split.validation.push_back(r); break;
      case Part::test: split.test.push_back(r); break;
    }
  }
  return split;
}

}  // namespace glassnet
