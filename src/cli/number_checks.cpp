#include "cli/number_checks.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <string>

namespace glassnet::cli {

CLI::Validator whole_number(std::int64_t lo, std::int64_t hi) {
  const std::string expected = fmt::format("a whole number from {} to {}", lo, hi);
  return CLI::Validator(
      [lo, hi, expected](std::string& input) -> std::string {
        std::int64_t value = 0;
        const auto [end, error] = std::from_chars(input.data(), input.data() + input.size(), value);
        if (error != std::errc() || end != input.data() + input.size() || value < lo || value > hi) {
          return fmt::format("expected {}, got '{}'", expected, input);
        }
        return {};
      },
      fmt::format("INT in [{}, {}]", lo, hi));
}

CLI::Validator real_number(double lo, bool above_lo, double hi) {
  const std::string expected = hi == std::numeric_limits<double>::max()
                                   ? fmt::format("a finite number {} {:g}", above_lo ? ">" : "≥", lo)
                                   : fmt::format("a number from {:g}{} to {:g}", lo, above_lo ? " (excluded)" : "", hi);
  return CLI::Validator(
      [lo, above_lo, hi, expected](std::string& input) -> std::string {
        double value = 0.0;
        const auto [end, error] = std::from_chars(input.data(), input.data() + input.size(), value);
        const bool in_range = error == std::errc() && end == input.data() + input.size() && std::isfinite(value) &&
                              (above_lo ? value > lo : value >= lo) && value <= hi;
        if (!in_range) return fmt::format("expected {}, got '{}'", expected, input);
        return {};
      },
      above_lo ? fmt::format("NUMBER > {:g}", lo) : fmt::format("NUMBER ≥ {:g}", lo));
}

}  // namespace glassnet::cli
