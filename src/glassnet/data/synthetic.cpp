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

#include <array>

namespace glassnet {

std::string make_fraud_csv(Index rows, double fraud_rate, std::uint64_t seed) {
  if (rows <= 0) throw Error(fmt::format("fraud: expected rows > 0, got {}", rows));
  if (!(fraud_rate > 0.0 && fraud_rate < 1.0)) {
    throw Error(fmt::format("fraud: expected a fraud rate in (0, 1), got {}", fraud_rate));
  }
  // Categories 0-2 and countries 0-3 are the common ones; the last two of each are rare
  // for legitimate transactions and common in fraud patterns.
  static constexpr std::array<const char*, 6> kCategories{"grocery", "restaurants", "fuel",
                                                          "travel",  "electronics", "gambling"};
  static constexpr std::array<const char*, 6> kCountries{"US", "GB", "DE", "FR", "BR", "NG"};
  Rng rng(seed);
  const auto pick = [&](double rare_probability) {
    return rng.uniform() < rare_probability ? 4 + rng.below(2) : rng.below(4);
  };
  std::string csv =
      "amount,hour,distance_km,card_age_days,transactions_24h,amount_vs_average,merchant_category,country,is_fraud\n";
  for (Index i = 0; i < rows; ++i) {
    const bool fraud = rng.uniform() < fraud_rate;
    // A legitimate-looking transaction: each fraud signal also occurs here on its own
    // (travellers far from home, busy days, new cards, big purchases, nights out).
    double amount = std::exp(rng.normal(4.2, 1.4));
    double hour = rng.uniform() < 0.12 ? static_cast<double>(rng.below(6)) : static_cast<double>(6 + rng.below(18));
    double distance = rng.uniform() < 0.15 ? std::exp(rng.normal(6.0, 0.8)) : std::exp(rng.normal(2.0, 1.2));
    double card_age = rng.uniform() < 0.1 ? static_cast<double>(rng.below(60)) : static_cast<double>(rng.below(3650));
    double burst = static_cast<double>(rng.uniform() < 0.08 ? 6 + rng.below(10) : rng.below(3));
    double ratio = std::exp(rng.normal(0.3, 0.8));
    std::uint64_t category = pick(0.2), country = pick(0.15);
    if (fraud) {
      // ...changed by one of three fraud patterns, each a conjunction of features that
      // also occur, one at a time, in legitimate transactions.
      switch (rng.below(3)) {
        case 0:  // a large purchase at night, abroad
          hour = static_cast<double>(rng.below(6));
          country = 4 + rng.below(2);
          amount = std::exp(rng.normal(6.5, 0.7));
          ratio = amount / std::exp(rng.normal(3.8, 0.5));
          break;
        case 1:  // a new card spending far above its average in a risky category
          card_age = static_cast<double>(rng.below(60));
          category = 4 + rng.below(2);
          ratio = std::exp(rng.normal(1.6, 0.5));
          break;
        default:  // a burst of transactions far from home
          burst = static_cast<double>(6 + rng.below(10));
          distance = std::exp(rng.normal(6.0, 0.8));
          break;
      }
    }
    const bool label = rng.uniform() < 0.02 ? !fraud : fraud;  // 2 % label noise
    csv += fmt::format("{:.2f},{},{:.1f},{},{},{:.3f},{},{},{}\n", amount, hour, distance, card_age, burst, ratio,
                       kCategories[category], kCountries[country], label ? 1 : 0);
  }
  return csv;
}

std::string dataset_csv(const Dataset& data, const std::string& label) {
  std::string csv;
  for (Index j = 0; j < data.x.cols(); ++j) csv += fmt::format("x{},", j);
  csv += label + "\n";
  for (Index i = 0; i < data.x.rows(); ++i) {
    for (Index j = 0; j < data.x.cols(); ++j) csv += fmt::format("{},", data.x(i, j));
    csv += fmt::format("{}\n", static_cast<int>(data.y(i, 0)));
  }
  return csv;
}

}  // namespace glassnet
