#include "glassnet/optim/sgd.hpp"

namespace glassnet {

void Sgd::step(ParamStore& params) {
  const auto lr = static_cast<Scalar>(learning_rate());
  Scalar* values = params.values().data();
  const Scalar* grads = params.grads().data();
  for (const auto& p : params.params()) {
    if (!p.trainable) continue;
    for (Index i = p.offset; i < p.offset + p.size(); ++i) values[i] -= lr * grads[i];
  }
}

}  // namespace glassnet
