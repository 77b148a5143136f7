#pragma once
// Seeded train / validation / test splits of row indices. For classification the split
// is stratified: each class is shuffled and divided in the same proportions, so every
// part keeps the class balance. Each part's rows are in ascending order.

#include <cstdint>
#include <span>
#include <vector>

#include "glassnet/core/scalar.hpp"

namespace glassnet {

struct Split {
  std::vector<Index> train, validation, test;
};

// `classes` holds each row's class index for a stratified split, or is empty.
// Fractions in [0, 1) with val + test < 1; every non-empty class keeps at least one
// training row. Throws Error on bad fractions.
Split split_rows(Index rows, double validation_fraction, double test_fraction, std::uint64_t seed,
                 std::span<const Index> classes = {});

}  // namespace glassnet
