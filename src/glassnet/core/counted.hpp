#pragma once
// A count with its noun, for messages: counted(1, "epoch") → "1 epoch",
// counted(3, "epoch") → "3 epochs" (nouns with a regular plural).

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace glassnet {

template <typename Count>
std::string counted(Count n, std::string_view noun) {
  return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s");
}

// Values of categorical columns that the model's categories do not hold: "1 value of a
// category", "3 values of categories".
inline std::string unseen_categories(long long values) {
  return values == 1 ? "1 value of a category" : fmt::format("{} values of categories", values);
}

}  // namespace glassnet
