#pragma once
// Weight initialisers. A weight is w:[fan_out, fan_in], as in a PyTorch Linear.
//
//   he_normal       N(0, gain^2 / fan_in)                gain^2 = 2 / (1 + slope^2)
//   he_uniform      U(-b, b), b = gain * sqrt(3 / fan_in)
//   xavier_normal   N(0, 2 / (fan_in + fan_out))
//   xavier_uniform  U(-b, b), b = sqrt(6 / (fan_in + fan_out))
//   lecun_normal    N(0, 1 / fan_in)
//   zeros           0
//
// `slope` is the negative slope of a following LeakyReLU (0 for ReLU), as in PyTorch's
// kaiming_normal_. `automatic` is resolved by the network from the activation that
// follows the weight: He before the ReLU family (ReLU, LeakyReLU, GELU), Xavier before
// sigmoid, tanh, identity and the output. Biases start at zero.

#include <optional>
#include <string_view>

#include "glassnet/core/matrix.hpp"
#include "glassnet/core/rng.hpp"

namespace glassnet {

enum class InitScheme { automatic, he_normal, he_uniform, xavier_normal, xavier_uniform, lecun_normal, zeros };

// Names as users write them: auto, he, he-uniform, xavier, xavier-uniform, lecun, zeros.
std::string_view init_name(InitScheme scheme);
std::optional<InitScheme> parse_init(std::string_view name);

// Fills w with draws from `scheme` (which must not be automatic).
void initialize_weight(MatrixView w, InitScheme scheme, Rng& rng, double relu_negative_slope = 0.0);

}  // namespace glassnet
