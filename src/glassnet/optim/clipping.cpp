#include "glassnet/optim/clipping.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "glassnet/core/error.hpp"

namespace glassnet {

double clip_grad_norm(ParamStore& params, double max_norm) {
  const double norm = params.grad_norm();
  clip_grad_norm(params, max_norm, norm);
  return norm;
}

void clip_grad_norm(ParamStore& params, double max_norm, double norm) {
  if (!(max_norm > 0.0)) throw Error(fmt::format("clip norm: expected a value > 0, got {}", max_norm));
  if (norm > max_norm) {
    const auto scale = static_cast<Scalar>(max_norm / (norm + 1e-6));
    Scalar* grads = params.grads().data();
    for (const auto& p : params.params()) {
      if (!p.trainable) continue;
      for (Index i = p.offset; i < p.offset + p.size(); ++i) grads[i] *= scale;
    }
  }
}

void clip_grad_value(ParamStore& params, double clip) {
  if (!(clip > 0.0)) throw Error(fmt::format("clip value: expected a value > 0, got {}", clip));
  const auto limit = static_cast<Scalar>(clip);
  Scalar* grads = params.grads().data();
  for (const auto& p : params.params()) {
    if (!p.trainable) continue;
    for (Index i = p.offset; i < p.offset + p.size(); ++i) grads[i] = std::clamp(grads[i], -limit, limit);
  }
}

}  // namespace glassnet
