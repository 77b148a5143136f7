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

namespace glassnet {

// Card transactions for the fraud demonstration, as CSV text with a header:
//   amount (currency units, log-normal: tens to thousands), hour (0–23),
//   distance_km (from home), card_age_days, transactions_24h, amount_vs_average (a
//   ratio), merchant_category (6 categories), country (6 countries), is_fraud (0/1).
// Mixed scales on purpose (thousands next to fractions). A row is fraud with
// probability `fraud_rate` (0.5: balanced); a fraud row follows one of three patterns —
// a large night-time purchase abroad, a new card far above its average in a risky
// category, a burst of transactions far from home — each a conjunction of features
// that also occur singly in legitimate rows, so no linear rule separates them; 2 % of
// labels are flipped.
std::string make_fraud_csv(Index rows, double fraud_rate, std::uint64_t seed);

// A Dataset as CSV text: x0..x{F-1}, then `label`.
std::string dataset_csv(const Dataset& data, const std::string& label = "label");

}  // namespace glassnet
