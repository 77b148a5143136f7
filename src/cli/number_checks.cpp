#include "cli/number_checks.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <memory>
#include <string>
#include <string_view>

namespace glassnet::cli {
namespace {

// The comma-separated items of `text`, empty ones kept.
std::vector<std::string> comma_items(std::string_view text) {
  std::vector<std::string> items;
  for (std::size_t start = 0;;) {
    const std::size_t comma = text.find(',', start);
    items.emplace_back(text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) return items;
    start = comma + 1;
  }
}

}  // namespace

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
      hi == std::numeric_limits<double>::max()
          ? (above_lo ? fmt::format("NUMBER > {:g}", lo) : fmt::format("NUMBER ≥ {:g}", lo))
          : fmt::format("NUMBER in {}{:g}, {:g}]", above_lo ? "(" : "[", lo, hi));
}

CLI::Option* add_whole_numbers(CLI::App& command, const std::string& name, std::vector<Index>& values, std::int64_t lo,
                               std::int64_t hi, const std::string& description) {
  const CLI::Validator each = whole_number(lo, hi);
  const CLI::Validator list(
      [each](std::string& argument) -> std::string {
        for (std::string& item : comma_items(argument)) {
          if (item.empty()) return fmt::format("expected numbers separated by single commas, got '{}'", argument);
          if (std::string message = each(item); !message.empty()) return message;
        }
        return {};
      },
      fmt::format("INT in [{}, {}]", lo, hi));
  const std::string default_text = fmt::format("{}", fmt::join(values, ","));
  // The callback runs once for each time the option is given (trigger_on_parse), and
  // once for a --config file's value: a second time is the option repeated, which
  // CLI11 would join into one list (--layers 8 --layers 4 → 8,4).
  auto given = std::make_shared<std::string>();
  CLI::Option* option = command.add_option_function<std::vector<std::string>>(
      name,
      [&values, given, name](const std::vector<std::string>& arguments) {
        const std::string these = fmt::format("{}", fmt::join(arguments, " "));
        if (!given->empty()) {
          throw CLI::ValidationError(name, fmt::format("given twice ('{}', then '{}'); give it once, the numbers "
                                                       "separated by commas",
                                                       *given, these));
        }
        *given = these;
        values.clear();  // checked by `list`: every item is a whole number in range
        for (const std::string& argument : arguments) {
          for (const std::string& item : comma_items(argument)) values.push_back(std::stol(item));
        }
      },
      description);
  return option->check(list)->trigger_on_parse()->type_name("INT,...")->default_str(default_text);
}

}  // namespace glassnet::cli
