#include "glassnet/nn/init.hpp"

#include <array>
#include <cmath>
#include <utility>

#include "glassnet/core/error.hpp"

namespace glassnet {
namespace {

constexpr std::array<std::pair<InitScheme, std::string_view>, 7> kSchemeNames{{
    {InitScheme::automatic, "auto"},
    {InitScheme::he_normal, "he"},
    {InitScheme::he_uniform, "he-uniform"},
    {InitScheme::xavier_normal, "xavier"},
    {InitScheme::xavier_uniform, "xavier-uniform"},
    {InitScheme::lecun_normal, "lecun"},
    {InitScheme::zeros, "zeros"},
}};

template <typename Draw>
void fill(MatrixView w, Draw draw) {
  for (Index i = 0; i < w.size(); ++i) w.data()[i] = static_cast<Scalar>(draw());
}

}  // namespace

std::string_view init_name(InitScheme scheme) {
  for (const auto& [s, name] : kSchemeNames) {
    if (s == scheme) return name;
  }
  return "?";
}

std::optional<InitScheme> parse_init(std::string_view name) {
  for (const auto& [s, n] : kSchemeNames) {
    if (n == name) return s;
  }
  return std::nullopt;
}

void initialize_weight(MatrixView w, InitScheme scheme, Rng& rng, double relu_negative_slope) {
  const auto fan_out = static_cast<double>(w.rows());
  const auto fan_in = static_cast<double>(w.cols());
  const double he_gain2 = 2.0 / (1.0 + relu_negative_slope * relu_negative_slope);
  switch (scheme) {
    case InitScheme::he_normal: {
      const double stddev = std::sqrt(he_gain2 / fan_in);
      fill(w, [&] { return rng.normal(0.0, stddev); });
      return;
    }
    case InitScheme::he_uniform: {
      const double bound = std::sqrt(3.0 * he_gain2 / fan_in);
      fill(w, [&] { return rng.uniform(-bound, bound); });
      return;
    }
    case InitScheme::xavier_normal: {
      const double stddev = std::sqrt(2.0 / (fan_in + fan_out));
      fill(w, [&] { return rng.normal(0.0, stddev); });
      return;
    }
    case InitScheme::xavier_uniform: {
      const double bound = std::sqrt(6.0 / (fan_in + fan_out));
      fill(w, [&] { return rng.uniform(-bound, bound); });
      return;
    }
    case InitScheme::lecun_normal: {
      const double stddev = std::sqrt(1.0 / fan_in);
      fill(w, [&] { return rng.normal(0.0, stddev); });
      return;
    }
    case InitScheme::zeros: w.setZero(); return;
    case InitScheme::automatic: break;
  }
  throw Error("initialize_weight: the 'auto' initialiser must be resolved by the network first");
}

}  // namespace glassnet
