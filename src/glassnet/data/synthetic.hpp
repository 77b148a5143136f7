#pragma once
// Synthetic data sets with a known structure, for demonstrations and tests. Every
// generator is deterministic for a seed.
//   x:[rows, features]  y:[rows, 1] with class indices 0 / 1

#include <cstdint>

#include "glassnet/core/matrix.hpp"

namespace glassnet {

struct Dataset {
  Matrix x;
  Matrix y;
};

// XOR of quadrants: the label is 1 when the first two features have the same sign.
// The first two features are uniform in [−1, 1]; the others are N(0, 1) noise that
// carries no information. No linear model does better than chance.
Dataset make_xor(Index rows, Index features, std::uint64_t seed);

// Two interleaving half circles in the first two features (scikit-learn's make_moons),
// with Gaussian noise of standard deviation `noise`; further features are N(0, 1).
Dataset make_moons(Index rows, Index features, double noise, std::uint64_t seed);

// Two interleaved spirals, each turning `turns` times around the origin, with
// Gaussian noise; further features are N(0, 1).
Dataset make_spirals(Index rows, Index features, double turns, double noise, std::uint64_t seed);

}  // namespace glassnet
