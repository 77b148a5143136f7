#pragma once
// The model file: a safetensors file (io/safetensors.hpp) that carries everything
// prediction needs, so `glassnet predict` needs nothing else.
//
//   tensors       the network's parameters and buffers, named as in a PyTorch
//                 state_dict ("layers.0.weight" [out, in], "layers.0.bias" [out],
//                 "layers.1.running_mean" [F]); dtype F32 (F64 from a double build)
//   __metadata__  format       "glassnet-model"
//                 version      "1"
//                 architecture JSON: in_features, hidden, activation, leaky_slope,
//                              out_features, output, norm, dropout, residual, init
//                 preprocessing JSON: standardize, and per feature column (in input
//                              order) name, kind, mean, std, categories
//                 labels       JSON: task, target, classes, numbers (whether the target
//                              held numbers; inferred from the classes when absent)
//                 training     JSON: the training configuration, for the record
// Loading validates everything before use: the file (as safetensors), the format and
// version, every metadata field (sizes whole numbers), that the architecture builds,
// that every tensor the network needs is present with its shape and holds finite
// values, that the preprocessing produces the network's input width, that its columns
// have distinct names, none the target's, and distinct categories, and that the output
// transform and the label map fit the task (two classes for binary, one per output for
// multiclass, none for regression; all distinct; numbers for a numeric target). Any
// violation is an Error naming the file and what was expected.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "glassnet/data/features.hpp"
#include "glassnet/data/labels.hpp"
#include "glassnet/nn/network.hpp"

namespace glassnet {

struct Model {
  std::unique_ptr<Network> network;
  FeatureTransform features;
  LabelEncoding labels;
  std::string target;
  std::string training;  // JSON text
};

// The output transform of a model trained for `task`: sigmoid for binary (P(class 1)),
// softmax for multiclass, identity for regression. Loading requires it.
OutputTransform output_for(Task task);

// Writes atomically, after the validation load_model makes: a model without a network,
// or whose preprocessing, labels or output do not fit it, is an Error and nothing is
// written.
void save_model(const std::filesystem::path& path, const Model& model);
Model load_model(const std::filesystem::path& path);
// The same validation on bytes in memory; `source` names them in errors.
Model decode_model(const std::vector<std::byte>& bytes, const std::string& source);

}  // namespace glassnet
