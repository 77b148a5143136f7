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

}  // namespace glassnet
