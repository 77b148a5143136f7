#pragma once
// Gradient clipping over the trainable parameters of a store, as
// torch.nn.utils.clip_grad_norm_ and clip_grad_value_.

#include "glassnet/nn/param_store.hpp"

namespace glassnet {

// Scales every trainable gradient by max_norm / (‖g‖ + 1e-6) when the global L2 norm
// ‖g‖ exceeds max_norm. Returns ‖g‖ before clipping (what the monitor reports).
double clip_grad_norm(ParamStore& params, double max_norm);
// The same when ‖g‖ is already known (the trainer computes it for the monitor), so the
// gradients are read once more only when they are scaled.
void clip_grad_norm(ParamStore& params, double max_norm, double norm);

// Clamps every trainable gradient element to [−clip, clip].
void clip_grad_value(ParamStore& params, double clip);

}  // namespace glassnet
