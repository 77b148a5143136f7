#include "glassnet/data/synthetic.hpp"

#include <fmt/format.h>

#include <cmath>
#include <numbers>

#include "glassnet/core/error.hpp"
#include "glassnet/core/rng.hpp"

namespace glassnet {
namespace {

Dataset allocate(Index rows, Index features, Index informative, const char* name) {
  if (rows <= 0) throw Error(fmt::format("{}: expected rows > 0, got {}", name, rows));
  if (features < informative) {
    throw Error(fmt::format("{}: expected at least {} features, got {}", name, informative, features));
  }
  return {Matrix(rows, features), Matrix(rows, 1)};
}

void fill_noise_features(Dataset& data, Index from, Rng& rng) {
  for (Index i = 0; i < data.x.rows(); ++i) {
    for (Index j = from; j < data.x.cols(); ++j) data.x(i, j) = static_cast<Scalar>(rng.normal());
  }
}

}  // namespace

Dataset make_xor(Index rows, Index features, std::uint64_t seed) {
  Dataset data = allocate(rows, features, 2, "xor");
  Rng rng(seed);
  for (Index i = 0; i < rows; ++i) {
    const double a = rng.uniform(-1.0, 1.0), b = rng.uniform(-1.0, 1.0);
    data.x(i, 0) = static_cast<Scalar>(a);
    data.x(i, 1) = static_cast<Scalar>(b);
    data.y(i, 0) = (a > 0) == (b > 0) ? 1 : 0;
  }
  fill_noise_features(data, 2, rng);
  return data;
}

Dataset make_moons(Index rows, Index features, double noise, std::uint64_t seed) {
  Dataset data = allocate(rows, features, 2, "moons");
  Rng rng(seed);
  for (Index i = 0; i < rows; ++i) {
    const bool upper = i % 2 == 0;
    const double t = std::numbers::pi * rng.uniform();
    const double px = upper ? std::cos(t) : 1.0 - std::cos(t);
    const double py = upper ? std::sin(t) : 0.5 - std::sin(t);
    data.x(i, 0) = static_cast<Scalar>(px + rng.normal(0.0, noise));
    data.x(i, 1) = static_cast<Scalar>(py + rng.normal(0.0, noise));
    data.y(i, 0) = upper ? 0 : 1;
  }
  fill_noise_features(data, 2, rng);
  return data;
}

Dataset make_spirals(Index rows, Index features, double turns, double noise, std::uint64_t seed) {
  Dataset data = allocate(rows, features, 2, "spirals");
  Rng rng(seed);
  for (Index i = 0; i < rows; ++i) {
    const int arm = static_cast<int>(i % 2);
    const double r = rng.uniform();  // radius grows with the angle
    const double angle = 2.0 * std::numbers::pi * turns * r + std::numbers::pi * arm;
    data.x(i, 0) = static_cast<Scalar>(r * std::cos(angle) + rng.normal(0.0, noise));
    data.x(i, 1) = static_cast<Scalar>(r * std::sin(angle) + rng.normal(0.0, noise));
    data.y(i, 0) = static_cast<Scalar>(arm);
  }
  fill_noise_features(data, 2, rng);
  return data;
}

}  // namespace glassnet
