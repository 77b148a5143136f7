#pragma once
// Checks of numeric options whose messages say what was expected and what was given:
//
//   cmd->add_option("--epochs", c.epochs)->check(whole_number(1, kMaxEpochs));
//   --epochs: expected a whole number from 1 to 1000000, got '0'
//
// A value that is not a number, not finite, or out of its range is refused; CLI11 puts
// the option's name before the message and exits 2.

#include <CLI/CLI.hpp>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "glassnet/core/scalar.hpp"

namespace glassnet::cli {

// Whole numbers lo…hi.
CLI::Validator whole_number(std::int64_t lo, std::int64_t hi);
// Finite numbers above `lo` (above_lo: strictly) and at most `hi`.
CLI::Validator real_number(double lo, bool above_lo, double hi = std::numeric_limits<double>::max());
// An option that sets `values` to whole numbers lo…hi, comma-separated ("128,64") or one
// per value (a TOML array); an empty item ("64,,64", "64,") is refused, not skipped, and
// so is the option given twice (--layers 8 --layers 4). Its default is what `values`
// holds.
CLI::Option* add_whole_numbers(CLI::App& command, const std::string& name, std::vector<Index>& values, std::int64_t lo,
                               std::int64_t hi, const std::string& description);

// The limits of the options that size a run: far beyond any run this machine can hold,
// and low enough that no count derived from them overflows.
inline constexpr std::int64_t kMaxEpochs = 1'000'000;
inline constexpr std::int64_t kMaxWidth = 1'000'000;  // a hidden layer's, as a model file allows
inline constexpr std::int64_t kMaxCategories = 1'000'000;  // a text column's inputs, as a model file allows
inline constexpr std::int64_t kMaxBatch = 100'000'000;
inline constexpr std::int64_t kMaxThreads = 1024;
inline constexpr std::int64_t kMaxSeed = std::numeric_limits<std::int64_t>::max();  // every seed option's: 0…2⁶³ − 1
// gradcheck perturbs every parameter twice, each time a forward pass: a check of
// backpropagation on small networks, which any size above this cannot finish.
inline constexpr std::int64_t kMaxCheckedWidth = 1024;

}  // namespace glassnet::cli
