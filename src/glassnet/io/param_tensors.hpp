#pragma once
// A ParamStore's tensors in a safetensors file, shared by the model file and
// checkpoints: each parameter and buffer as a tensor named prefix + its name, in its
// PyTorch shape, in the dtype of Scalar.

#include <string>
#include <vector>

#include "glassnet/io/safetensors.hpp"
#include "glassnet/nn/param_store.hpp"

namespace glassnet {

inline constexpr const char* kScalarDtype = kDoublePrecision ? "F64" : "F32";

// Appends every tensor of `params`, named prefix + name.
void append_param_tensors(const ParamStore& params, const std::string& prefix, SafetensorsFile& file);

// The file's tensor for each parameter of `params`, in the store's order; throws Error
// naming `source` when one is missing, has another shape, or holds a value no network
// could have: one that is not finite as a Scalar, or a negative running variance
// (nn/batch_norm.hpp). Changes nothing.
std::vector<const SafetensorsTensor*> find_param_tensors(const ParamStore& params, const SafetensorsFile& file,
                                                         const std::string& prefix, const std::string& source);

// Copies tensors found by find_param_tensors into the store.
void copy_param_tensors(ParamStore& params, const std::vector<const SafetensorsTensor*>& tensors);

}  // namespace glassnet
