#pragma once
// The library's random number generator: xoshiro256** seeded through splitmix64, with
// its own uniform, normal and integer draws and shuffle.
//
// Hand-written on purpose: the standard library's distributions are
// implementation-defined (libstdc++ and libc++ draw different numbers from the same
// engine), and glassnet promises bit-identical weights for the same seed and thread
// count wherever it is built. The state is a plain value, so checkpoints can save and restore it.

#include <array>
#include <cstdint>
#include <span>

#include "glassnet/core/scalar.hpp"

namespace glassnet {

class Rng {
 public:
  struct State {
    std::array<std::uint64_t, 4> words{};
    bool has_spare_normal = false;
    double spare_normal = 0.0;
    friend bool operator==(const State&, const State&) = default;
  };

  explicit Rng(std::uint64_t seed = 0);

  std::uint64_t next_u64();
  // Uniform in [0, 1), 53 random bits.
  double uniform();
  // Uniform in [low, high).
  double uniform(double low, double high);
  // Standard normal (Box–Muller; the second value of each pair is kept for the next call).
  double normal();
  double normal(double mean, double stddev);
  // Uniform integer in [0, n), without modulo bias. Requires n > 0.
  std::uint64_t below(std::uint64_t n);
  // Fisher–Yates shuffle.
  void shuffle(std::span<Index> values);

  State state() const { return state_; }
  void set_state(const State& state) { state_ = state; }

 private:
  State state_;
};

}  // namespace glassnet
