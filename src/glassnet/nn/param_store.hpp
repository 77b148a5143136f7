#pragma once
// All parameters of a model in one place: contiguous value and gradient buffers with
// named views, named like a PyTorch state_dict ("layers.0.weight", "layers.0.bias").
//
// Zeroing gradients, the global gradient norm and the optimizer update are each one
// pass over flat memory. Views are resolved on every access (pointer + offset), so
// adding parameters never invalidates an id.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "glassnet/core/matrix.hpp"

namespace glassnet {

// What a tensor is for. Weight decay applies to weights by default, not to biases or
// normalisation parameters. A buffer (BatchNorm's running statistics) is state that is
// saved with the model but never trained: it has no gradient and is never trainable.
enum class ParamRole { weight, bias, norm_scale, norm_shift, buffer };
std::string_view param_role_name(ParamRole role);                 // "weight", "bias", "norm_scale", ...
std::optional<ParamRole> parse_param_role(std::string_view name);  // the reverse

struct ParamInfo {
  std::string name;          // "layers.0.weight"
  std::vector<Index> shape;  // PyTorch shape: [out, in] for a weight, [out] for a bias
  Index rows = 0;            // the matrix view: [rows, cols], row-major
  Index cols = 0;
  Index offset = 0;  // first element in the flat buffers
  ParamRole role = ParamRole::weight;
  bool trainable = true;

  Index size() const { return rows * cols; }
};

class ParamStore {
 public:
  using Id = Index;

  // Registers a [rows, cols] parameter, zero-initialised. `shape` is the shape reported
  // to users and files (a bias is [cols] viewed as [1, cols]). Names must be unique.
  Id add(std::string name, std::vector<Index> shape, Index rows, Index cols, ParamRole role);

  MatrixView value(Id id);
  ConstMatrixView value(Id id) const;
  MatrixView grad(Id id);
  ConstMatrixView grad(Id id) const;

  // Every parameter's values / gradients, in registration order, contiguous.
  std::span<Scalar> values() { return {value_data(), grads_.size()}; }
  std::span<const Scalar> values() const { return {value_data(), grads_.size()}; }
  std::span<Scalar> grads() { return grads_; }
  std::span<const Scalar> grads() const { return grads_; }

  const std::vector<ParamInfo>& params() const { return params_; }
  const ParamInfo& info(Id id) const { return params_.at(static_cast<std::size_t>(id)); }
  // The id of the parameter called `name`, or -1.
  Id find(std::string_view name) const;

  // Frozen parameters are not updated; their gradients are neither computed nor used.
  // Buffers stay non-trainable whatever is asked.
  void set_trainable(Id id, bool trainable);
  bool trainable(Id id) const { return values_owner_ != nullptr ? values_owner_->trainable(id) : info(id).trainable; }
  // Freezes (or unfreezes) every parameter whose name starts with `prefix`
  // ("layers.0." is the first layer). Returns how many matched; throws Error if none.
  Index freeze(std::string_view prefix);
  Index unfreeze(std::string_view prefix);

  Index size() const { return static_cast<Index>(grads_.size()); }

  // From now on this store's values, and which parameters are trainable, are `owner`'s;
  // its gradients stay its own. Requires the same parameters in the same order (a network
  // built again from the same spec): the copy then trains on the owner's parameters with
  // gradients of its own (train/split_step.hpp). `owner` must outlive this store.
  void share_values(ParamStore& owner);
  Index trainable_size() const;

  void zero_grads();
  // sqrt of the sum of squared gradients of the trainable parameters.
  double grad_norm() const;
  // The same in one pass, with each parameter's own norm: norms[i] for params()[i]
  // (0 for non-trainable ones). Requires norms.size() == params().size().
  double grad_norms(std::span<double> norms) const;

 private:
  double squared_grad_norm(const ParamInfo& p) const;  // Σ g² over one parameter
  Scalar* value_data() { return values_owner_ != nullptr ? values_owner_->value_data() : values_.data(); }
  const Scalar* value_data() const { return values_owner_ != nullptr ? values_owner_->value_data() : values_.data(); }

  std::vector<ParamInfo> params_;
  std::vector<Scalar, Eigen::aligned_allocator<Scalar>> values_;
  std::vector<Scalar, Eigen::aligned_allocator<Scalar>> grads_;
  ParamStore* values_owner_ = nullptr;  // share_values
};

}  // namespace glassnet
