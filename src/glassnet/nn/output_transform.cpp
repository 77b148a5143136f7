#include "glassnet/nn/output_transform.hpp"

namespace glassnet {

std::string_view output_transform_name(OutputTransform transform) {
  switch (transform) {
    case OutputTransform::identity: return "identity";
    case OutputTransform::sigmoid: return "sigmoid";
    case OutputTransform::softmax: return "softmax";
  }
  return "?";
}

std::optional<OutputTransform> parse_output_transform(std::string_view name) {
  for (auto t : {OutputTransform::identity, OutputTransform::sigmoid, OutputTransform::softmax}) {
    if (output_transform_name(t) == name) return t;
  }
  return std::nullopt;
}

void apply_output_transform(OutputTransform transform, ConstMatrixView logits, MatrixView out) {
  switch (transform) {
    case OutputTransform::identity: out = logits; return;
    case OutputTransform::sigmoid: out.array() = logits.array().logistic(); return;
    case OutputTransform::softmax:
      for (Index r = 0; r < logits.rows(); ++r) {
        const Scalar max = logits.row(r).maxCoeff();
        out.row(r).array() = (logits.row(r).array() - max).exp();
        out.row(r) /= out.row(r).sum();
      }
      return;
  }
}

}  // namespace glassnet
