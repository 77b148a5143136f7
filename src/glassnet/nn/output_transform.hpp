#pragma once
// Prediction-time output transforms. Networks end in logits and losses take logits
// (softmax is fused into the cross-entropy, sigmoid into BCE); these turn logits into
// what users read: probabilities for classification, values for regression.
//   logits:[B, K]  out:[B, K]

#include <optional>
#include <string_view>

#include "glassnet/core/matrix.hpp"

namespace glassnet {

enum class OutputTransform { identity, sigmoid, softmax };

std::string_view output_transform_name(OutputTransform transform);
std::optional<OutputTransform> parse_output_transform(std::string_view name);

// out = transform(logits). Softmax is per row and stable for any finite logits.
void apply_output_transform(OutputTransform transform, ConstMatrixView logits, MatrixView out);

}  // namespace glassnet
